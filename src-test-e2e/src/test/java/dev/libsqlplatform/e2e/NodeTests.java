package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs one JS scenario file from src-test-e2e/js/test with node's built-in test runner. */
final class NodeTests {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    /** One JS test (or hook) taking longer than this fails by name, and the file goes on. */
    private static final Duration TEST_TIMEOUT = Duration.ofSeconds(120);

    private NodeTests() {
    }

    static Path jsDir() {
        Path dir = Path.of(System.getProperty("e2e.jsDir", "js")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("node_modules/@libsql/client"))
                || !Files.isDirectory(dir.resolve("node_modules/@tursodatabase/api"))) {
            throw new IllegalStateException(dir + "/node_modules lacks the official clients: the build runs "
                    + "`npm ci` in " + dir + " (pre-integration-test); run it by hand when starting tests from an IDE");
        }
        return dir;
    }

    /**
     * Runs {@code node --test} on the file with the platform's addresses in the environment. Fails the JUnit
     * test with node's report and the tails of the platform's logs unless every JS test passed.
     */
    static void run(Platform platform, String file, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(platform.clientEnv());
        env.putAll(extraEnv);
        String scheme = extraEnv.getOrDefault("SQL_URL_SCHEME", "");
        run(platform.toString(), platform.logDir(), env, file, scheme, platform::logTails);
    }

    /**
     * The same for processes that are not one {@link Platform} (several control planes and workers): {@code env} is
     * the scenario's whole environment, {@code logTails} gives the processes' last log lines for a failure.
     */
    static void run(String label, Path logDir, Map<String, String> env, String file, String scheme,
                    java.util.function.IntFunction<String> logTails) throws Exception {
        Path js = jsDir();
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("e2e.node", "node"));
        cmd.add("--test");
        cmd.add("--test-reporter=spec");
        cmd.add("--test-timeout=" + TEST_TIMEOUT.toMillis());
        String pattern = System.getProperty("e2e.testNamePattern", "");
        if (!pattern.isBlank()) {
            cmd.add("--test-name-pattern=" + pattern);
        }
        cmd.add("test/" + file);
        String logName = "node-" + file.replace(".test.mjs", "") + (scheme.isEmpty() ? "" : "-" + scheme) + ".log";
        Path log = logDir.resolve(logName);
        ManagedProcess node = ManagedProcess.start("node " + file, cmd, js, env, log);
        boolean finished = node.waitFor(TIMEOUT);
        if (!finished) {
            node.kill();
        }
        String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        System.out.println("[" + label + "] node --test " + file + "\n" + output);
        if (!finished) {
            fail("node --test " + file + " did not finish within " + TIMEOUT + "\n" + output + "\n"
                    + logTails.apply(100));
        }
        int code = node.exitCode();
        if (code != 0) {
            String tails = logTails.apply(150);
            System.err.println(tails);
            fail("node --test " + file + " exited with " + code + " (see the report above; log " + log + ")\n"
                    + failureLines(output) + "\n" + tails);
        }
    }

    /** The lines of node's spec report that name failures, to put them in the JUnit failure message. */
    private static String failureLines(String output) {
        StringBuilder sb = new StringBuilder();
        boolean inFailures = false;
        for (String line : output.split("\n")) {
            if (line.contains("failing tests:")) {
                inFailures = true;
            }
            if (inFailures) {
                sb.append(line).append('\n');
            }
        }
        return sb.length() > 0 ? sb.toString() : output;
    }
}
