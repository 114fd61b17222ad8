package dev.libsqlplatform.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The repository root (set by the pom) and a small process runner for the CLI-based checks. */
final class Repo {

    static final Path ROOT = Path.of(System.getProperty("deploy.repositoryRoot", "..")).toAbsolutePath().normalize();

    private Repo() {
    }

    record Result(int exit, String out) {
    }

    /** Runs a command in {@code dir}, stdout and stderr merged; waits at most {@code timeoutSeconds}. */
    static Result run(Path dir, Map<String, String> env, long timeoutSeconds, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("deploy-test", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return new Result(p.exitValue(), out);
    }

    /** True when {@code command} is found on the PATH. */
    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object node, Object... path) {
        Object current = node;
        List<Object> walked = new ArrayList<>();
        for (Object step : path) {
            walked.add(step);
            if (step instanceof Integer i) {
                current = ((List<Object>) current).get(i);
            } else {
                if (!(current instanceof Map<?, ?> map)) {
                    throw new AssertionError("no " + walked + " (" + current + ")");
                }
                current = map.get(step);
            }
            if (current == null) {
                throw new AssertionError("no " + walked);
            }
        }
        return (T) current;
    }
}
