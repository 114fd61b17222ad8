package dev.libsqlplatform.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs Debian's {@code wrk} with the shared Lua script; the one load generator for every HTTP target. */
final class Wrk {
    /** One measurement: throughput and latency percentiles (microseconds) as wrk's done() reports them. */
    record Result(long requests, double seconds, double rps, long p50us, long p90us, long p99us, long maxUs,
                  long errors, String raw) {
        double p50ms() { return p50us / 1000.0; }
        double p99ms() { return p99us / 1000.0; }
    }

    private final Path script;
    private final String binary;

    Wrk(Path workDir) throws IOException {
        this.binary = find();
        Files.createDirectories(workDir);
        this.script = workDir.resolve("bench.lua");
        try (InputStream in = Wrk.class.getResourceAsStream("/wrk/bench.lua")) {
            Files.write(script, in.readAllBytes());
        }
    }

    static String find() {
        for (String p : new String[] {"/usr/bin/wrk", "/usr/local/bin/wrk"}) {
            if (Files.isExecutable(Path.of(p))) return p;
        }
        return null;
    }

    static boolean available() { return find() != null; }

    String version() {
        try {
            Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("wrk").replaceAll("Copyright.*", "").trim();
        } catch (Exception e) {
            return "wrk";
        }
    }

    /**
     * @param connections concurrent keep-alive connections (= clients)
     * @param args        script arguments: mode token n close extra
     */
    Result run(String url, int connections, int seconds, String... args) throws IOException, InterruptedException {
        int threads = Math.max(1, Math.min(connections, Runtime.getRuntime().availableProcessors()));
        List<String> cmd = new ArrayList<>(List.of(binary, "-t", String.valueOf(threads), "-c", String.valueOf(connections),
                "-d", seconds + "s", "--timeout", "10s", "--latency", "-s", script.toString(), url, "--"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // bench.lua needs wrk's -c to undo wrk's coordinated-omission correction (phantom samples)
        pb.environment().put("WRK_CONNECTIONS", String.valueOf(connections));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("wrk did not finish");
        }
        Matcher m = Pattern.compile("WRKJSON (\\{.*})").matcher(out);
        if (!m.find()) throw new IOException("wrk printed no result (exit " + p.exitValue() + "): " + out);
        String j = m.group(1);
        if (!j.contains("\"histogram_consistent\":true") || num(j, "latency_samples") + num(j, "err_timeout") < num(j, "requests")) {
            // the percentiles are then not those of the measured requests (see bench.lua, measured())
            System.err.println("[bench] WARNING: wrk's latency histogram does not match its request count: " + j);
        }
        long errors = num(j, "err_connect") + num(j, "err_read") + num(j, "err_write") + num(j, "err_status") + num(j, "err_timeout");
        return new Result(num(j, "requests"), num(j, "duration_us") / 1e6, dbl(j, "rps"), num(j, "p50_us"),
                num(j, "p90_us"), num(j, "p99_us"), num(j, "max_us"), errors, j);
    }

    private static long num(String json, String key) { return (long) dbl(json, key); }

    private static double dbl(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([0-9.eE+-]+)").matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
