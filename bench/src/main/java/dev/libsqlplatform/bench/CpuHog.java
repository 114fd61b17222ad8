package dev.libsqlplatform.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Busy loops in separate processes, one per core, at normal priority: the "contended" mode, how shared machines and
 * Kubernetes nodes run. They run for the whole contended measurement, so every interleaved target meets the same
 * competition. Shell loops rather than threads of this JVM, so the harness's own load client is not slowed by them.
 */
final class CpuHog implements AutoCloseable {
    private final List<Proc> loops;

    private CpuHog(List<Proc> loops) { this.loops = loops; }

    static CpuHog start(int processes, Path work) throws IOException {
        List<Proc> loops = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                loops.add(Proc.start("cpu-hog-" + i, List.of("sh", "-c", "while :; do :; done"), work, Map.of()));
            }
        } catch (IOException e) {
            loops.forEach(Proc::close);
            throw e;
        }
        return new CpuHog(loops);
    }

    String describe() {
        return loops.size() + " busy-loop process" + (loops.size() == 1 ? "" : "es") + " (`sh -c 'while :; do :; done'`, one per core)";
    }

    @Override
    public void close() {
        loops.forEach(Proc::close);
    }
}
