package dev.libsqlplatform.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One real OS process (a packaged app or node), its output appended to a log file. */
final class ManagedProcess {

    private final String name;
    private final Path log;
    private Process process;

    private ManagedProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static ManagedProcess start(String name, List<String> command, Path workingDir, Map<String, String> env, Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, "\n===== " + name + ": " + String.join(" ", command) + " (cwd " + workingDir + ")\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // never inherit a configuration that points at a platform running elsewhere on this machine
        pb.environment().keySet().removeIf(k -> k.startsWith("PLATFORM_") || k.startsWith("SPRING_")
                || k.equals("SERVER_PORT") || k.equals("SERVER_ADDRESS"));
        pb.environment().putAll(env);
        return new ManagedProcess(name, log, pb.start());
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns the exit code. */
    int stop(Duration grace) throws InterruptedException {
        if (process == null) {
            return -1;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            appendNote("did not stop within " + grace + " after SIGTERM; killing");
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        int code = process.exitValue();
        appendNote("exited with " + code);
        return code;
    }

    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private void appendNote(String note) {
        try {
            Files.writeString(log, "\n===== " + name + " " + note + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the note is only a convenience
        }
    }

    String tail(int lines) {
        return tail(log, lines);
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n"));
            List<String> last = new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()));
            return String.join("\n", last);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
