package dev.libsqlplatform.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child process started by the harness (a server under test); always stopped by its own handle. */
final class Proc implements AutoCloseable {
    final String name;
    final Process process;
    final Path log;

    /** Every child still running; a shutdown hook stops them if the harness is interrupted. */
    private static final java.util.Set<Proc> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Proc::close)));
    }

    private Proc(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static Proc start(String name, List<String> cmd, Path dir, Map<String, String> env) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Log.info("start " + name + ": " + String.join(" ", cmd.stream().map(Proc::mask).toList()));
        Proc p = new Proc(name, pb.start(), log);
        LIVE.add(p);
        return p;
    }

    private static String mask(String s) { return s.length() > 60 ? s.substring(0, 57) + "..." : s; }

    long pid() { return process.pid(); }

    /** Waits until GET url gets any HTTP answer or the process dies. */
    void awaitHttp(String url, Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IOException(name + " exited with " + process.exitValue() + "; log tail:\n" + tail(40));
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() > 0) return; // listening
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException(name + " did not answer " + url + " within " + timeout + "; log tail:\n" + tail(40));
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        LIVE.remove(this);
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Log.info("stopped " + name);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The java launcher of the JVM the servers run on (BENCH_JAVA_HOME, else this JVM). */
    static String java() {
        String home = System.getenv("BENCH_JAVA_HOME");
        if (home == null || home.isBlank()) home = System.getProperty("java.home");
        return Path.of(home, "bin", "java").toString();
    }

    static String jdkTool(String tool) {
        String home = System.getenv("BENCH_JAVA_HOME");
        if (home == null || home.isBlank()) home = System.getProperty("java.home");
        Path p = Path.of(home, "bin", tool);
        return Files.isExecutable(p) ? p.toString() : tool;
    }
}
