package dev.libsqlplatform.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the scenarios, one target at a time, and writes the report. */
final class Harness {
    static final String READS = "1. Point reads over HTTP (Hrana /v2/pipeline)";
    static final String WRITES = "2. Writes";
    static final String CONTROL = "3. Control plane";
    static final String DENSITY = "4. Density (one worker)";
    static final String REPLICATION = "5. Replication (frame log, embedded-replica sync)";
    static final String VECTORS = "6. Vector search (libSQL vector_top_k)";

    private final BenchConfig cfg;
    private final Report report = new Report();
    private final Http http = new Http();
    private Wrk wrk;
    private Platform platform;
    private String platformFailure;
    /**
     * The second platform, its worker started with {@code platform.worker.sandbox.enabled=false}, for the sandbox
     * on/off rows of scenarios 1 and 2; not started when that comparison is not run.
     */
    private final Side sandboxOff = new Side("sandbox-off platform");
    /** The platform built from {@code --baseline-ref}, for the current/baseline rows of scenarios 1 and 2. */
    private final Side baselineSide = new Side("baseline platform");
    /** The working tree's jars with {@code --variant}'s worker settings, for the current/variant rows of scenarios 1 and 2. */
    private final Side variantSide = new Side("variant platform");
    /** The baseline's commit and jars, once resolved and built (or taken from the cache); null otherwise. */
    private Baseline baseline;
    private String baselineFailure;
    /** Names of every database the harness created on the platform, in creation order. */
    private final List<String> platformDbs = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    /** Skipped or failed parts, for the smoke test and the console. */
    final List<String> skipped = new ArrayList<>();

    Harness(BenchConfig cfg) { this.cfg = cfg; }

    Report report() { return report; }

    void run() throws Exception {
        Files.createDirectories(cfg.work());
        Files.createDirectories(cfg.out());
        if (Wrk.available()) wrk = new Wrk(cfg.work());
        else skip("wrk not installed (apt-get install -y wrk): every HTTP measurement skipped");
        // built before any server starts, so the build's CPU load overlaps no measurement
        if (baselineCompared()) prepareBaseline();
        header();
        try {
            if (cfg.scenarios().contains("reads")) guard(READS, this::reads);
            if (cfg.scenarios().contains("writes")) guard(WRITES, this::writes);
            // only scenarios 1 and 2 use them: stopped before the others so they take no memory or CPU from them
            sandboxOff.close();
            baselineSide.close();
            variantSide.close();
            if (cfg.scenarios().contains("control")) guard(CONTROL, this::control);
            if (cfg.scenarios().contains("density")) guard(DENSITY, this::density);
            if (cfg.scenarios().contains("replication")) guard(REPLICATION, new ReplicationBench(cfg, wrk)::run);
            if (cfg.scenarios().contains("vectors")) guard(VECTORS, s -> new VectorScenario(cfg, http).run(s, platform(s)));
        } finally {
            sandboxOff.close();
            baselineSide.close();
            variantSide.close();
            if (platform != null) platform.close();
            // before the closing "Ratios are ..." line
            report.header.add(Math.max(0, report.header.size() - 1), "- **Load at the end:** " + loadAverages() + " (1 / 5 / 15 minutes).");
            report.write(cfg.out());
            Log.info("wrote " + cfg.out().resolve("latest.md"));
        }
    }

    interface Body { void run(Report.Section s) throws Exception; }

    private void guard(String title, Body body) throws IOException {
        Report.Section s = report.section(title);
        long t0 = System.nanoTime();
        try {
            body.run(s);
        } catch (Exception e) {
            Log.info(title + " failed: " + e);
            e.printStackTrace(System.out);
            s.notes.add("**failed:** " + oneLine(e));
            skipped.add(title + ": " + oneLine(e));
        }
        s.notes.add(String.format("scenario wall time: %.0f s", (System.nanoTime() - t0) / 1e9));
        report.write(cfg.out()); // partial results survive a later crash
    }

    private static String oneLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return e.getClass().getSimpleName() + ": " + (m.length() > 1500 ? m.substring(0, 1500) + "..." : m).replace("\n", " ⏎ ").replace("|", "\\|");
    }

    private void skip(String why) {
        Log.info("SKIP " + why);
        skipped.add(why);
    }

    // ---------------------------------------------------------------- platform

    /** Starts the platform once; null (with the reason noted) when its jars are missing or it fails. */
    private Platform platform(Report.Section s) {
        if (platform != null) return platform;
        if (platformFailure == null) {
            String missing = Platform.missingJars(cfg.root());
            if (missing != null) {
                platformFailure = "platform not measured: " + missing + " (bench/run builds them with `mvn -B -q -DskipTests install`)";
            } else {
                try {
                    // started alongside the measured platform, before anything is measured: their start-ups overlap
                    // (the smoke run stays short) and neither start-up runs during a measurement
                    if (sandboxCompared()) sandboxOff.start(Platform.Jars.of(cfg.root()), cfg.work().resolve("platform-sandbox-off"), false);
                    if (baseline != null) baselineSide.start(baseline.jars, cfg.work().resolve("platform-baseline"), true);
                    if (variantCompared()) variantSide.start(Platform.Jars.of(cfg.root()), cfg.work().resolve("platform-variant"), cfg.variant());
                    platform = Platform.start(cfg.root(), cfg.work().resolve("platform"), cfg);
                    return platform;
                } catch (Exception e) {
                    platformFailure = "platform did not start: " + oneLine(e);
                }
            }
            skip(platformFailure);
        }
        s.notes.add(platformFailure);
        return null;
    }

    private boolean sandboxCompared() {
        return wrk != null && cfg.sandboxRounds() > 0 && !cfg.sandboxClients().isEmpty()
                && (cfg.scenarios().contains("reads") || cfg.scenarios().contains("writes"));
    }

    private boolean baselineCompared() {
        return wrk != null && cfg.baselineRef() != null && cfg.baselineRounds() > 0 && !cfg.baselineClients().isEmpty()
                && (cfg.scenarios().contains("reads") || cfg.scenarios().contains("writes")
                || cfg.scenarios().contains("control"));
    }

    private boolean variantCompared() {
        return wrk != null && !cfg.variant().isEmpty() && cfg.baselineRounds() > 0 && !cfg.baselineClients().isEmpty()
                && (cfg.scenarios().contains("reads") || cfg.scenarios().contains("writes"));
    }

    private void prepareBaseline() {
        try {
            baseline = Baseline.prepare(cfg.root(), cfg.baselineRef(), cfg.work());
        } catch (Exception e) {
            baselineFailure = "baseline `" + cfg.baselineRef() + "` not built: " + oneLine(e);
            skip(baselineFailure);
        }
    }

    /**
     * A platform measured beside the main one in scenarios 1 and 2 (sandbox off, or a baseline commit's jars): started in
     * the background together with the main platform, so their start-ups overlap and none runs during a measurement.
     */
    private final class Side {
        private final String name;
        private CompletableFuture<Platform> start;
        private Platform platform;
        private String failure;

        Side(String name) { this.name = name; }

        void start(Platform.Jars jars, Path dir, boolean sandbox) {
            start(jars, dir, sandbox, Map.of());
        }

        void start(Platform.Jars jars, Path dir, Map<String, String> workerEnv) {
            start(jars, dir, true, workerEnv);
        }

        private void start(Platform.Jars jars, Path dir, boolean sandbox, Map<String, String> workerEnv) {
            start = CompletableFuture.supplyAsync(() -> {
                try {
                    return Platform.start(jars, dir, cfg, sandbox, workerEnv);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
        }

        /** The platform once started; null (with the reason noted) when it is not run or failed. */
        Platform get(Report.Section s, String notRunBecause) {
            if (platform != null) return platform;
            if (failure == null) {
                if (start == null) {
                    failure = name + " not started (" + (platformFailure != null ? platformFailure : notRunBecause) + ")";
                } else {
                    try {
                        platform = start.join();
                        return platform;
                    } catch (CompletionException e) {
                        failure = name + " did not start: " + oneLine(e.getCause() == null ? e : e.getCause());
                    }
                }
                skip(failure);
            }
            s.notes.add(failure);
            return null;
        }

        void close() {
            if (start == null) return;
            try {
                start.join().close();
            } catch (CompletionException e) {
                // its start failed: Platform.start already stopped what it had started
            }
            start = null;
            platform = null;
        }
    }

    private String platformDb(Platform p, String name) throws IOException, InterruptedException {
        String token = p.readyDatabaseWithToken(name);
        platformDbs.add(name);
        tokens.put(name, token);
        return token;
    }

    // ---------------------------------------------------------------- 1. reads

    private void reads(Report.Section s) throws Exception {
        s.intro.add(String.format("`SELECT v FROM kv WHERE k = ?` with a random k in 1..%,d, body `{\"baton\":null,\"requests\":[execute, close]}`, "
                + "keep-alive; wrk threads = min(clients, nproc). The platform, tursodb and the ceiling run side by side and are measured "
                + "interleaved: every target warmed %d s at every client count, then %d round(s) of %d s per point, each round measuring every "
                + "client count on every target back to back, in the order platform, tursodb, ceiling in odd rounds and reversed in even ones. "
                + "Figures are medians over the rounds; ratios are computed per round and averaged, with the lowest and highest round in "
                + "brackets. %s", cfg.rows(), cfg.warmup(), cfg.readRounds(), cfg.seconds(),
                CPU_TEXT.replace("Worker CPU", "Server CPU").replace("the worker process's", "each server process's")));
        if (wrk == null) { s.notes.add("wrk missing: nothing measured"); return; }
        List<Rounds.Target> targets = new ArrayList<>();
        List<AutoCloseable> peers = new ArrayList<>();
        try {
            Platform p = platform(s);
            if (p != null) {
                try {
                    String token = platformDb(p, "bench-reads");
                    http.loadKv(p.pipelineUrl(), token, cfg.rows(), true);
                    verifyRead(p.pipelineUrl(), token, true);
                    targets.add(readTarget("platform", p.worker.pid(), p.pipelineUrl(), token, true));
                } catch (Exception e) {
                    s.notes.add("platform: **failed:** " + oneLine(e));
                }
            }
            Optional<Path> turso = Tursodb.find(cfg.benchDir());
            if (turso.isEmpty()) {
                s.notes.add("tursodb not installed (bench/run installs turso@0.6.0 with npm into bench/node_modules): peer skipped");
                skip("tursodb peer not installed");
            } else {
                Path dir = cfg.work().resolve("tursodb");
                deleteTree(dir);
                int port = Proc.freePort();
                try {
                    Proc t = Tursodb.start(turso.get(), dir, "reads.db", port);
                    peers.add(t);
                    String url = "http://127.0.0.1:" + port + "/v2/pipeline";
                    http.loadKv(url, null, cfg.rows(), false);
                    verifyRead(url, null, false);
                    targets.add(readTarget("tursodb", t.pid(), url, null, false));
                } catch (Exception e) {
                    s.notes.add("tursodb: **failed:** " + oneLine(e));
                }
                s.notes.add("tursodb 0.6.0 rejects `{\"type\":\"close\"}` (\"unknown variant `close`\"), so its body omits it; it also answers every "
                        + "request with `Connection: close`, so wrk reconnects per request there: keep-alive is not available on that peer. Its ~10 ms latency is not a wrk artefact: "
                        + "single curl requests to it take 2–9 ms too (loopback connect < 0.1 ms).");
            }
            try {
                Proc c = startCeiling();
                peers.add(c);
                String url = "http://127.0.0.1:" + ceilingPort + "/v2/pipeline";
                verifyRead(url, null, true);
                targets.add(readTarget("ceiling", c.pid(), url, null, true));
            } catch (Exception e) {
                s.notes.add("ceiling: **failed:** " + oneLine(e));
            }

            Rounds quiet = readRounds(s, "reads", targets);
            readRows(s, quiet, "");
            if (cfg.contended()) {
                try (CpuHog hog = CpuHog.start(Runtime.getRuntime().availableProcessors(), cfg.work())) {
                    s.notes.add("contended: " + hog.describe() + " ran beside the servers for the whole contended rounds, the same for every target.");
                    readRows(s, readRounds(s, "reads contended", targets), ", contended");
                }
            }
            List<String> cats = cfg.clients().stream().map(c -> "c=" + c).toList();
            Map<String, List<Double>> rps = new LinkedHashMap<>();
            Map<String, List<Double>> lat = new LinkedHashMap<>();
            List<String> latCats = new ArrayList<>();
            for (int c : cfg.clients()) { latCats.add("c=" + c + " p50"); latCats.add("c=" + c + " p99"); }
            for (String t : List.of("platform", "tursodb", "ceiling")) {
                rps.put(t, cfg.clients().stream().map(c -> quiet.median(t, c, Rounds::ops)).toList());
                List<Double> l = new ArrayList<>();
                for (int c : cfg.clients()) { l.add(quiet.median(t, c, Rounds::p50)); l.add(quiet.median(t, c, Rounds::p99)); }
                lat.put(t, l);
            }
            chart(s, "reads-throughput.png", "Point reads: requests/s (higher is better)", "requests/s", cats, rps, false);
            chart(s, "reads-latency.png", "Point reads: latency (lower is better)", "ms", latCats, lat, false);
            // the side comparisons below measure the platform alone: the peers would only take memory from it
        } finally {
            for (AutoCloseable c : peers) c.close();
        }
        Platform p = platform;
        if (p == null) return;

        // sandbox on vs off: the measured platform against a second one without the engine sandbox, same reads
        Load readLoad = (target, tok, c, secs) -> wrk.run(target.pipelineUrl(), c, secs, "read", tok, String.valueOf(cfg.rows()), "close");
        if (sandboxCompared()) {
            Platform off = sandboxOff.get(s, "comparison not run");
            String offToken = off == null || tokens.get("bench-reads") == null ? null : readsDb(s, "sandbox off", off);
            interleaved(s, sandboxComparison(), "platform", "req/s", p, tokens.get("bench-reads"), off, offToken, readLoad);
        }
        // HTTP vs WebSocket on the measured platform itself: wrk for HTTP, WsLoad for WebSocket, interleaved. The WebSocket
        // side is told apart by its token's "ws:" prefix (both sides are the same worker, so the same Load serves both)
        Load httpOrWs = (target, tok, c, secs) -> tok.startsWith(WS_SIDE)
                ? WsLoad.run(wsUrl(target), tok.substring(WS_SIDE.length()), c, secs, cfg.rows())
                : wrk.run(target.pipelineUrl(), c, secs, "read", tok, String.valueOf(cfg.rows()), "close");
        if (wrk != null && cfg.wsRounds() > 0 && !cfg.wsClients().isEmpty()) {
            String t = tokens.get("bench-reads");
            interleaved(s, wsComparison(), "platform", "req/s", p, t, p, t == null ? null : WS_SIDE + t, httpOrWs);
        }
        // direct vs forwarded: the same reads sent to the hosting worker and to a second worker that hosts nothing and
        // forwards each request to it (any worker answers for any database)
        if (wrk != null && cfg.forwardRounds() > 0 && !cfg.forwardClients().isEmpty() && p != null
                && tokens.get("bench-reads") != null) {
            String t = tokens.get("bench-reads");
            try (Platform fwd = p.forwarder(cfg, cfg.work().resolve("forwarder"))) {
                interleaved(s, forwardComparison(), "platform", "req/s", p, t, fwd, t, readLoad);
            } catch (Exception e) {
                s.notes.add("direct/forwarded: **failed:** " + oneLine(e));
            }
        }
        // current vs baseline commit: the measured platform against one built from --baseline-ref, same reads
        if (baselineCompared()) {
            Platform b = baselineSide.get(s, baselineFailure != null ? baselineFailure : "comparison not run");
            String bToken = b == null || tokens.get("bench-reads") == null ? null : readsDb(s, "baseline", b);
            interleaved(s, baselineComparison(), "platform", "req/s", p, tokens.get("bench-reads"), b, bToken, readLoad);
            if (cfg.wsRounds() > 0) {
                // the same reads over Hrana 3 over WebSocket, current against baseline
                String t = tokens.get("bench-reads");
                interleaved(s, baselineComparison(), "platform WebSocket", "req/s", p, t == null ? null : WS_SIDE + t, b,
                        bToken == null ? null : WS_SIDE + bToken, httpOrWs);
                // and as @libsql/client sends a lone query: open_stream, execute, close_stream back to back
                Load clientReads = (target, tok, c, secs) -> WsLoad.reads(wsUrl(target), tok, c, secs, cfg.rows(),
                        WsLoad.Pattern.STREAM_PER_STATEMENT);
                interleaved(s, baselineComparison(), "platform WebSocket (client's streams)", "req/s", p, t, b, bToken, clientReads);
            }
        }
        if (variantCompared()) {
            Platform v = variantSide.get(s, "comparison not run");
            String vToken = v == null || tokens.get("bench-reads") == null ? null : readsDb(s, "variant", v);
            interleaved(s, variantComparison(), "platform", "req/s", p, tokens.get("bench-reads"), v, vToken, readLoad);
        }

    }

    private Rounds.Target readTarget(String name, long pid, String url, String token, boolean close) {
        String tok = token == null ? "-" : token, rows = String.valueOf(cfg.rows()), cl = close ? "close" : "noclose";
        return new Rounds.Target(name, pid, (c, secs) -> wrk.run(url, c, secs, "read", tok, rows, cl));
    }

    /** The interleaved rounds of scenario 1; an empty result (every row n/a) when they failed, with the reason noted. */
    private Rounds readRounds(Report.Section s, String label, List<Rounds.Target> targets) {
        return rounds(s, label, targets, cfg.clients());
    }

    /** The interleaved rounds of scenario 2, as {@link #readRounds} at the write client counts. */
    private Rounds writeRounds(Report.Section s, String label, List<Rounds.Target> targets) {
        return rounds(s, label, targets, cfg.writeClients());
    }

    private Rounds rounds(Report.Section s, String label, List<Rounds.Target> targets, List<Integer> clients) {
        try {
            Rounds r = Rounds.run(label, targets, clients, cfg.readRounds(), cfg.seconds(), cfg.warmup());
            noteLoads(s, label, r);
            return r;
        } catch (Exception e) {
            s.notes.add(label + ": **failed:** " + oneLine(e));
            return Rounds.empty();
        }
    }

    private static void noteLoads(Report.Section s, String label, Rounds r) {
        double[] l = r.loads().stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (l.length > 0) {
            s.notes.add(String.format(java.util.Locale.ROOT, "%s: 1-minute load average at the start of each round %.1f–%.1f (%d cores)",
                    label, l[0], l[l.length - 1], Runtime.getRuntime().availableProcessors()));
        }
    }

    /**
     * The platform against tursodb and the ceiling at every client count, with the goals of the SQL-port issue: at 16 and 64
     * clients twice tursodb's throughput and a p99 no worse than either peer's; at 1 client a p50 within 20 % of the ceiling's;
     * server CPU per read at most 60 % of the ceiling's.
     */
    private void readRows(Report.Section s, Rounds r, String mode) {
        for (int c : cfg.clients()) {
            boolean many = c >= 16;
            for (String peer : List.of("tursodb", "ceiling")) {
                boolean vsTurso = peer.equals("tursodb");
                String t = "platform c=" + c + mode;
                s.compare(t, peer, "req/s", r.median("platform", c, Rounds::ops), r.median(peer, c, Rounds::ops), "",
                        r.ratio("platform", peer, c, Rounds::ops), vsTurso && many ? Report.Goal.ratioAtLeast(2) : Report.Goal.NONE);
                s.compare(t, peer, "p50", r.median("platform", c, Rounds::p50), r.median(peer, c, Rounds::p50), "ms",
                        r.ratio("platform", peer, c, Rounds::p50), c == 1 && !vsTurso ? Report.Goal.withinPct(20) : Report.Goal.NONE);
                s.compare(t, peer, "p99", r.median("platform", c, Rounds::p99), r.median(peer, c, Rounds::p99), "ms",
                        r.ratio("platform", peer, c, Rounds::p99), many ? Report.Goal.atMostPeer() : Report.Goal.NONE);
                s.compare(t, peer, "server CPU/request", r.median("platform", c, Rounds::cpu), r.median(peer, c, Rounds::cpu), "µs",
                        r.ratio("platform", peer, c, Rounds::cpu), vsTurso ? Report.Goal.NONE : Report.Goal.atMostPctOfPeer(60));
            }
            for (String t : List.of("platform", "tursodb", "ceiling")) {
                long errs = r.errors(t, c);
                if (errs > 0) s.notes.add(t + " c=" + c + mode + ": " + errs + " wrk errors (non-2xx, read, connect or timeout) over the rounds");
            }
        }
    }

    /** The reads database on a side platform, filled and checked like the main one's; null (noted) on failure. */
    private String readsDb(Report.Section s, String side, Platform p) {
        try {
            String token = p.readyDatabaseWithToken("bench-reads");
            http.loadKv(p.pipelineUrl(), token, cfg.rows(), true);
            verifyRead(p.pipelineUrl(), token, true);
            return token;
        } catch (Exception e) {
            s.notes.add(side + ": **failed:** " + oneLine(e));
            return null;
        }
    }

    /** The writes database on a side platform (empty table w); null (noted) on failure. */
    private String writesDb(Report.Section s, String side, Platform p) {
        try {
            String token = p.readyDatabaseWithToken("bench-writes");
            http.loadKv(p.pipelineUrl(), token, 0, true);
            return token;
        } catch (Exception e) {
            s.notes.add(side + ": **failed:** " + oneLine(e));
            return null;
        }
    }

    private Map<Integer, Measure> readCurve(String url, String token, boolean close) throws Exception {
        String tok = token == null ? "-" : token;
        String cl = close ? "close" : "noclose";
        if (cfg.warmup() > 0) wrk.run(url, 16, cfg.warmup(), "read", tok, String.valueOf(cfg.rows()), cl);
        Map<Integer, Measure> r = new LinkedHashMap<>();
        for (int c : cfg.clients()) {
            Wrk.Result w = wrk.run(url, c, cfg.seconds(), "read", tok, String.valueOf(cfg.rows()), cl);
            Log.info(url + " c=" + c + " " + w.raw());
            r.put(c, Measure.of(w));
        }
        return r;
    }

    private void verifyRead(String url, String token, boolean close) throws IOException, InterruptedException {
        int k = Math.max(1, cfg.rows() / 2);
        String body = "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT v FROM kv WHERE k = ?\",\"args\":[{\"type\":\"integer\",\"value\":\""
                + k + "\"}]}}" + (close ? ",{\"type\":\"close\"}" : "") + "]}";
        Http.Response r = Http.check(http.post(url, token, body), "verify read");
        if (!r.body().contains("value-" + k)) throw new IOException("read of k=" + k + " did not return value-" + k + ": " + Http.abbreviate(r.body()));
    }

    private int ceilingPort;

    private Proc startCeiling() throws IOException, InterruptedException {
        ceilingPort = Proc.freePort();
        Path dir = cfg.work().resolve("ceiling");
        deleteTree(dir);
        List<String> cmd = new ArrayList<>(List.of(Proc.java(), "-Xmx" + cfg.serverHeap(), "-Dceiling.db=" + dir.resolve("ceiling.db"),
                "-Dceiling.rows=" + cfg.rows(),
                "-Dceiling.synchronous=" + cfg.synchronous()));
        String cp = System.getProperty("java.class.path");
        if (!cp.contains(java.io.File.pathSeparator) && cp.endsWith(".jar")) cmd.addAll(List.of("-jar", Path.of(cp).toAbsolutePath().toString()));
        else cmd.addAll(List.of("-cp", cp, BenchMain.class.getName()));
        cmd.addAll(List.of("ceiling", "--server.port=" + ceilingPort));
        Proc p = Proc.start("ceiling", cmd, dir, Map.of());
        try {
            p.awaitHttp("http://127.0.0.1:" + ceilingPort + "/", Duration.ofSeconds(120));
        } catch (IOException | InterruptedException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** One measurement of an interleaved comparison: the same wrk load against either platform. */
    interface Load { Wrk.Result run(Platform p, String token, int clients, int seconds) throws Exception; }

    /** Checks, before the rounds, that the two sides differ as the comparison says (e.g. the sandbox really is off). */
    interface Verify { void run(Platform a, String aToken, Platform b, String bToken) throws Exception; }

    /**
     * One interleaved comparison of the main platform (side a) with a side platform (b).
     *
     * @param name        in notes and log lines ("sandbox on/off")
     * @param target      row label of side a, from (what, clients)
     * @param peer        row label of side b
     * @param sides       the two sides' names in log lines
     * @param intro       the section's paragraph, from (what, unit)
     * @param ratio       what the ratio is ("on ÷ off")
     */
    record Comparison(String name, java.util.function.BiFunction<String, Integer, String> target, String peer, String[] sides,
                      java.util.function.BiFunction<String, String, String> intro, int rounds, List<Integer> clients, Verify verify) {}

    private Comparison sandboxComparison() {
        return new Comparison("sandbox on/off", (what, c) -> what + " c=" + c + ", sandbox on", "same, sandbox off", new String[] {"on ", "off"},
                (what, unit) -> String.format("Sandbox on/off (%s, %s): a second platform whose worker runs with `platform.worker.sandbox.enabled=false` "
                        + "(no authorizer, defensive mode, engine limits, statement deadline or temp-file budget; checked by a `zeroblob` over the length "
                        + "limit, refused only with the sandbox), both running side by side; %s Figures are medians over the rounds; ratio = on ÷ off per round, averaged (lowest–highest round). %s",
                        what, unit, roundsText(cfg.sandboxRounds(), cfg.sandboxClients(), "on and off"), CPU_TEXT),
                cfg.sandboxRounds(), cfg.sandboxClients(),
                (a, at, b, bt) -> { a.verifySandbox(at, true); b.verifySandbox(bt, false); });
    }

    private static final String WS_SIDE = "ws:";

    private static String wsUrl(Platform p) {
        return p.workerUrl.replaceFirst("^http", "ws") + "/";
    }

    private Comparison wsComparison() {
        return new Comparison("HTTP/WebSocket", (what, c) -> what + " c=" + c + ", HTTP", "same, WebSocket", new String[] {"http", "ws  "},
                (what, unit) -> String.format("HTTP/WebSocket (%s, %s): the same worker and database read over Hrana over HTTP (wrk, "
                        + "`execute` + `close` per request, keep-alive) and over Hrana 3 over WebSocket (bench's `WsLoad`, java.net.http: one "
                        + "connection per client, `hello` and `open_stream` once, then one `execute` per request on that stream, one request "
                        + "in flight per client); %s Figures are medians over the rounds; ratio = HTTP ÷ WebSocket per round, averaged (lowest–highest round). %s",
                        what, unit, roundsText(cfg.wsRounds(), cfg.wsClients(), "HTTP and WebSocket"), CPU_TEXT),
                cfg.wsRounds(), cfg.wsClients(), (a, at, b, bt) -> WsLoad.verify(wsUrl(b), bt.substring(WS_SIDE.length())));
    }

    private Comparison forwardComparison() {
        return new Comparison("direct/forwarded", (what, c) -> what + " c=" + c + ", direct", "same, through a forwarding worker",
                new String[] {"direct", "fwd   "},
                (what, unit) -> String.format("Direct/forwarded (%s, %s): the same point reads sent to the worker hosting the database and "
                        + "to a second worker of the same platform that hosts nothing and forwards every request to it (route cached, one "
                        + "extra HTTP hop on the loopback); %s Figures are medians over the rounds; ratio = direct ÷ forwarded. CPU per "
                        + "request is the receiving worker's only (the forwarded side's hosting worker works too). %s",
                        what, unit, roundsText(cfg.forwardRounds(), cfg.forwardClients(), "direct and forwarded"), CPU_TEXT),
                cfg.forwardRounds(), cfg.forwardClients(), (a, at, b, bt) -> verifyRead(b.pipelineUrl(), bt, true));
    }

    private Comparison baselineComparison() {
        String label = "platform (baseline " + (baseline == null ? cfg.baselineRef() : baseline.shortCommit) + ")";
        String commit = baseline == null ? "`" + cfg.baselineRef() + "`" : "`" + baseline.shortCommit + "` (" + baseline.subject.replace("|", "\\|") + ")";
        return new Comparison("current/baseline", (what, c) -> what.replaceFirst("^platform", "platform (current)") + " c=" + c, label,
                new String[] {"current ", "baseline"},
                (what, unit) -> String.format("Current/baseline (%s, %s): the working tree's jars against a platform built from `--baseline-ref=%s` = commit %s "
                        + "in a temporary git worktree (jars cached per commit under `~/.cache/libsql-platform/bench-baseline/`), both running side by side "
                        + "with the same settings and their own data directories and ports; %s Figures are medians over the rounds; ratio = current ÷ baseline per round, averaged (lowest–highest round). %s",
                        what, unit, cfg.baselineRef(), commit, roundsText(cfg.baselineRounds(), cfg.baselineClients(), "current and baseline"), CPU_TEXT),
                cfg.baselineRounds(), cfg.baselineClients(), (a, at, b, bt) -> { });
    }

    private Comparison variantComparison() {
        String settings = cfg.variant().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
        return new Comparison("current/variant", (what, c) -> what.replaceFirst("^platform", "platform (current)") + " c=" + c,
                "platform (variant)", new String[] {"current", "variant"},
                (what, unit) -> String.format("Current/variant (%s, %s): the working tree's jars twice, side by side, the variant's worker started with `%s`; "
                        + "%s Figures are medians over the rounds; ratio = current ÷ variant per round, averaged (lowest–highest round). %s",
                        what, unit, settings, roundsText(cfg.baselineRounds(), cfg.baselineClients(), "current and variant"), CPU_TEXT),
                cfg.baselineRounds(), cfg.baselineClients(), (a, at, b, bt) -> { });
    }

    private String roundsText(int rounds, List<Integer> clients, String both) {
        return String.format("%d round(s) at clients %s, %d s per point, %s back to back with the order swapped every round%s.", rounds, clients,
                cfg.seconds(), both, cfg.warmup() > 0 ? " after a " + cfg.warmup() + " s warm-up of each at every client count" : "");
    }

    private static final String CPU_TEXT = "Worker CPU/request = the worker process's user+sys time (`/proc/<pid>/stat`, 10 ms ticks) over the requests wrk "
            + "completed, the figure least moved by other load on the machine.";

    /**
     * Two platforms, interleaved ({@link Rounds}: both warmed at every client count, the order swapped every round, so a
     * slow phase of this shared machine lands on both sides instead of one). Rows: the median over rounds of each figure,
     * ratio = a ÷ b per round, averaged, with the spread; a note gives every round's ratios. Rows are written even when
     * a side is missing (n/a).
     */
    private void interleaved(Report.Section s, Comparison k, String what, String unit, Platform on, String onToken, Platform off, String offToken, Load load) {
        s.intro.add(k.intro().apply(what, unit));
        String a = k.sides()[0].trim(), b = k.sides()[1].trim();
        Rounds r = Rounds.empty();
        if (on != null && off != null && onToken != null && offToken != null) {
            try {
                k.verify().run(on, onToken, off, offToken);
                List<Rounds.Target> sides = List.of(
                        new Rounds.Target(a, on.worker.pid(), (c, secs) -> load.run(on, onToken, c, secs)),
                        new Rounds.Target(b, off.worker.pid(), (c, secs) -> load.run(off, offToken, c, secs)));
                if (cfg.compareContended()) {
                    try (CpuHog hog = CpuHog.start(Runtime.getRuntime().availableProcessors(), cfg.work())) {
                        s.notes.add(k.name() + ", " + what + ": contended (`--compare-contended`): " + hog.describe()
                                + " ran beside both sides for the whole rounds.");
                        r = Rounds.run(k.name() + " " + what, sides, k.clients(), k.rounds(), cfg.seconds(), cfg.warmup());
                    }
                } else {
                    r = Rounds.run(k.name() + " " + what, sides, k.clients(), k.rounds(), cfg.seconds(), cfg.warmup());
                }
            } catch (Exception e) {
                s.notes.add(k.name() + " " + what + ": **failed:** " + oneLine(e));
            }
        }
        noteLoads(s, k.name() + ", " + what, r);
        for (int c : k.clients()) {
            String target = k.target().apply(what, c), peer = k.peer();
            Rounds.Ratio ops = r.ratio(a, b, c, Rounds::ops), cpu = r.ratio(a, b, c, Rounds::cpu);
            s.compare(target, peer, unit, r.median(a, c, Rounds::ops), r.median(b, c, Rounds::ops), "", ops, Report.Goal.NONE);
            s.compare(target, peer, "p50", r.median(a, c, Rounds::p50), r.median(b, c, Rounds::p50), "ms", r.ratio(a, b, c, Rounds::p50), Report.Goal.NONE);
            s.compare(target, peer, "p99", r.median(a, c, Rounds::p99), r.median(b, c, Rounds::p99), "ms", r.ratio(a, b, c, Rounds::p99), Report.Goal.NONE);
            s.compare(target, peer, "worker CPU/request", r.median(a, c, Rounds::cpu), r.median(b, c, Rounds::cpu), "µs", cpu, Report.Goal.NONE);
            if (!ops.perRound().isEmpty()) {
                s.notes.add(String.format("%s, %s c=%d, ratio per round: %s %s; worker CPU/request %s", k.name(), what, c, unit, ops.rounds(), cpu.rounds()));
            }
            long errs = r.errors(a, c) + r.errors(b, c);
            if (errs > 0) s.notes.add(String.format("%s, %s c=%d: %d wrk errors over both sides", k.name(), what, c, errs));
            Log.info(String.format("%s %s c=%d: %s %s %s | %s %s %s | ratio %s; worker CPU/request ratio %s",
                    k.name().toUpperCase(java.util.Locale.ROOT), what, c, a, Report.fmt(r.median(a, c, Rounds::ops)), unit, b,
                    Report.fmt(r.median(b, c, Rounds::ops)), unit, ops.text(), cpu.text()));
        }
    }

    static double medianOf(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    // ---------------------------------------------------------------- 2. writes

    private void writes(Report.Section s) throws Exception {
        s.intro.add(String.format("`INSERT INTO w(v) VALUES (?)` (22-byte text), autocommit. The platform over HTTP (wrk, keep-alive), sqlite-jdbc "
                + "in this process (a Java loop per client, each with its own connection: no HTTP at all) and the ceiling (bare Spring MVC + "
                + "sqlite-jdbc over HTTP, one writer connection behind a fair lock: what any Java HTTP service pays for the same insert), WAL and "
                + "`synchronous=%s` on all three (the worker's `platform.worker.synchronous`). At 1 client also the floor: raw sqlite-jdbc "
                + "followed by one " + RawSqlite.ECHO_BYTES + "-byte round trip over loopback TCP to an echo thread, per insert (what a request "
                + "and its answer cost in the kernel and in two thread wake-ups, with no HTTP, JSON or anything else a server does): the most "
                + "any networked server can reach against raw on the day's machine. Measured interleaved like scenario 1: every "
                + "target warmed %d s at every client count, then %d round(s) of %d s per point, the order platform, raw, floor, ceiling in odd rounds "
                + "and reversed in even ones; figures are medians over the rounds, ratios per round averaged with the lowest and highest "
                + "round in brackets. %s Raw sqlite-jdbc's CPU is not counted (it shares the harness's process). Batch = BEGIN + %,d inserts "
                + "+ COMMIT (a Hrana `batch` over HTTP, one transaction in process), 1 client, measured once per side after the rounds.",
                cfg.synchronous(), cfg.warmup(), cfg.readRounds(), cfg.seconds(), CPU_TEXT.replace("Worker CPU", "Server CPU")
                        .replace("the worker process's", "each server process's"), cfg.batchRows()));
        Path raw = cfg.work().resolve("raw");
        deleteTree(raw);
        Files.createDirectories(raw);
        List<Rounds.Target> targets = new ArrayList<>();
        Platform p = wrk == null ? null : platform(s);
        if (wrk == null) s.notes.add("wrk missing: the platform and the ceiling not measured");
        String token = null;
        if (p != null) {
            try {
                token = platformDb(p, "bench-writes");
                http.loadKv(p.pipelineUrl(), token, 0, true);
                String t = token;
                targets.add(new Rounds.Target("platform", p.worker.pid(),
                        (c, secs) -> wrk.run(p.pipelineUrl(), c, secs, "insert", t, "0", "close")));
            } catch (Exception e) {
                s.notes.add("platform: **failed:** " + oneLine(e));
                token = null;
            }
        }
        targets.add(new Rounds.Target("raw", -1, (c, secs) -> RawSqlite.autocommitRound(raw.resolve("auto" + c + ".db"), cfg.synchronous(), c, secs)));
        // the 1-client goal's bound: raw plus what a request and its answer cost on loopback, and nothing else
        targets.add(new Rounds.Target("floor", -1, (c, secs) -> c != 1 ? null
                : RawSqlite.autocommitEchoRound(raw.resolve("floor.db"), cfg.synchronous(), c, secs)));
        Proc ceiling = null;
        if (wrk != null) {
            try {
                ceiling = startCeiling();
                String url = "http://127.0.0.1:" + ceilingPort + "/v2/pipeline";
                targets.add(new Rounds.Target("ceiling", ceiling.pid(), (c, secs) -> wrk.run(url, c, secs, "insert", "-", "0", "close")));
            } catch (Exception e) {
                s.notes.add("ceiling: **failed:** " + oneLine(e));
            }
        }
        Rounds quiet;
        Rounds contended = null;
        try {
            quiet = writeRounds(s, "writes", targets);
            if (cfg.contended()) {
                try (CpuHog hog = CpuHog.start(Runtime.getRuntime().availableProcessors(), cfg.work())) {
                    s.notes.add("contended: " + hog.describe() + " ran beside the targets for the whole contended rounds, the same for every target.");
                    contended = writeRounds(s, "writes contended", targets);
                }
            }
        } finally {
            if (ceiling != null) ceiling.close();
        }
        writeRows(s, quiet, "");
        if (contended != null) writeRows(s, contended, ", contended");

        Measure mb = null;
        if (p != null && token != null) {
            try {
                Wrk.Result w = wrk.run(p.pipelineUrl(), 1, cfg.seconds(), "batch", token, "0", "close", String.valueOf(cfg.batchRows()));
                Log.info("platform batch " + w.raw());
                mb = Measure.of(w);
                if (mb.errors() > 0) s.notes.add("platform batch: " + mb.note());
            } catch (Exception e) {
                s.notes.add("platform batch: **failed:** " + oneLine(e));
            }
        }
        Measure rb = RawSqlite.batches(raw.resolve("batch.db"), cfg.synchronous(), cfg.batchRows(), cfg.seconds());
        Log.info("raw batch " + rb);
        if (rb.errors() > 0) s.notes.add("raw batch: " + rb.errors() + " SQLite errors");
        double pRows = ops(mb) * cfg.batchRows(), rRows = ops(rb) * cfg.batchRows();
        s.compare("platform " + cfg.batchRows() + "-row batches", "raw sqlite-jdbc", "rows/s", pRows, rRows, "", Report.Goal.ratioAtLeast(0.8));
        s.compare("platform " + cfg.batchRows() + "-row batches", "raw sqlite-jdbc", "p50 per batch", p50(mb), p50(rb), "ms", Report.Goal.NONE);

        Report.Section sideRows = new Report.Section(s.title);
        Load insertLoad = (target, tok, c, secs) -> wrk.run(target.pipelineUrl(), c, secs, "insert", tok, "0", "close");
        if (sandboxCompared()) {
            Platform off = p == null ? null : sandboxOff.get(s, "comparison not run");
            String offToken = off == null || tokens.get("bench-writes") == null ? null : writesDb(s, "sandbox off", off);
            interleaved(sideRows, sandboxComparison(), "platform autocommit", "rows/s", p, tokens.get("bench-writes"), off, offToken, insertLoad);
        }
        if (baselineCompared()) {
            Platform b = p == null ? null : baselineSide.get(s, baselineFailure != null ? baselineFailure : "comparison not run");
            String bToken = b == null || tokens.get("bench-writes") == null ? null : writesDb(s, "baseline", b);
            interleaved(sideRows, baselineComparison(), "platform autocommit", "rows/s", p, tokens.get("bench-writes"), b, bToken, insertLoad);
            if (cfg.wsRounds() > 0) {
                // the same inserts over Hrana 3 over WebSocket, as @libsql/client sends a lone statement (a stream for each)
                Load wsInserts = (target, tok, c, secs) -> WsLoad.inserts(wsUrl(target), tok, c, secs, WsLoad.Pattern.STREAM_PER_STATEMENT);
                interleaved(sideRows, baselineComparison(), "platform WebSocket (client's streams) autocommit", "rows/s", p,
                        tokens.get("bench-writes"), b, bToken, wsInserts);
            }
        }
        if (variantCompared()) {
            Platform v = p == null ? null : variantSide.get(s, "comparison not run");
            String vToken = v == null || tokens.get("bench-writes") == null ? null : writesDb(s, "variant", v);
            interleaved(sideRows, variantComparison(), "platform autocommit", "rows/s", p, tokens.get("bench-writes"), v, vToken, insertLoad);
        }
        s.rows.addAll(sideRows.rows);
        s.intro.addAll(sideRows.intro);
        s.notes.addAll(sideRows.notes);

        List<String> cats = cfg.writeClients().stream().map(c -> "autocommit c=" + c).toList();
        Map<String, List<Double>> auto = new LinkedHashMap<>();
        auto.put("platform (HTTP)", cfg.writeClients().stream().map(c -> quiet.median("platform", c, Rounds::ops)).toList());
        auto.put("raw sqlite-jdbc (in process)", cfg.writeClients().stream().map(c -> quiet.median("raw", c, Rounds::ops)).toList());
        auto.put("ceiling (bare HTTP + sqlite-jdbc)", cfg.writeClients().stream().map(c -> quiet.median("ceiling", c, Rounds::ops)).toList());
        chart(s, "writes-autocommit.png", "Autocommit inserts: rows/s at synchronous=" + cfg.synchronous() + " (higher is better)", "rows/s",
                cats, auto, false);
        Map<String, List<Double>> batch = new LinkedHashMap<>();
        batch.put("platform (HTTP)", List.of(pRows));
        batch.put("raw sqlite-jdbc (in process)", List.of(rRows));
        chart(s, "writes-batch.png", "Batched inserts: rows/s at synchronous=" + cfg.synchronous() + " (higher is better)", "rows/s",
                List.of(cfg.batchRows() + "-row batches"), batch, false);
    }

    /**
     * The platform's autocommit inserts against raw sqlite-jdbc, with the SQL-port issue's goals (at 1 client 90 % of raw's
     * rows/s, at 16 and more twice raw's), and against the ceiling, which pays the same HTTP round trip: where the ceiling
     * itself stays below a goal against raw, no Java HTTP service meets it on that day's machine.
     */
    private void writeRows(Report.Section s, Rounds r, String mode) {
        for (int c : cfg.writeClients()) {
            String t = "platform autocommit c=" + c + mode;
            Report.Goal goal = c >= 16 ? Report.Goal.ratioAtLeast(2) : c == 1 ? Report.Goal.ratioAtLeast(0.9) : Report.Goal.NONE;
            for (String peer : List.of("raw", "ceiling")) {
                boolean vsRaw = peer.equals("raw");
                String label = vsRaw ? "raw sqlite-jdbc" : "ceiling";
                s.compare(t, label, "rows/s", r.median("platform", c, Rounds::ops), r.median(peer, c, Rounds::ops), "",
                        r.ratio("platform", peer, c, Rounds::ops), vsRaw ? goal : Report.Goal.NONE);
                s.compare(t, label, "p50", r.median("platform", c, Rounds::p50), r.median(peer, c, Rounds::p50), "ms",
                        r.ratio("platform", peer, c, Rounds::p50), Report.Goal.NONE);
                s.compare(t, label, "p99", r.median("platform", c, Rounds::p99), r.median(peer, c, Rounds::p99), "ms",
                        r.ratio("platform", peer, c, Rounds::p99), Report.Goal.NONE);
                if (!vsRaw) {
                    s.compare(t, label, "server CPU/request", r.median("platform", c, Rounds::cpu), r.median(peer, c, Rounds::cpu), "µs",
                            r.ratio("platform", peer, c, Rounds::cpu), Report.Goal.NONE);
                }
            }
            s.compare("ceiling autocommit c=" + c + mode, "raw sqlite-jdbc", "rows/s", r.median("ceiling", c, Rounds::ops),
                    r.median("raw", c, Rounds::ops), "", r.ratio("ceiling", "raw", c, Rounds::ops), Report.Goal.NONE);
            if (!r.of("floor", c).isEmpty()) {
                s.compare("floor autocommit c=" + c + mode, "raw sqlite-jdbc", "rows/s", r.median("floor", c, Rounds::ops),
                        r.median("raw", c, Rounds::ops), "", r.ratio("floor", "raw", c, Rounds::ops), Report.Goal.NONE);
                s.compare(t, "floor", "rows/s", r.median("platform", c, Rounds::ops), r.median("floor", c, Rounds::ops), "",
                        r.ratio("platform", "floor", c, Rounds::ops), Report.Goal.NONE);
                s.compare(t, "floor", "p50", r.median("platform", c, Rounds::p50), r.median("floor", c, Rounds::p50), "ms",
                        r.ratio("platform", "floor", c, Rounds::p50), Report.Goal.NONE);
            }
            for (String t2 : List.of("platform", "raw", "ceiling", "floor")) {
                long errs = r.errors(t2, c);
                if (errs > 0) s.notes.add(t2 + " c=" + c + mode + ": " + errs + " errors over the rounds");
            }
        }
    }

    // ---------------------------------------------------------------- 3. control plane

    private void control(Report.Section s) throws Exception {
        s.intro.add(String.format("Create: %,d sequential `POST /v1/organizations/default/databases` (JDK HttpClient, one keep-alive connection), "
                + "latency of the create call; throughput = %,d / (first create → last `ready`). Then filled to %,d databases (4 parallel creators) "
                + "and list (`GET .../databases`) and get (`GET .../databases/{name}`, random name) measured with wrk, %d s each.",
                cfg.creates(), cfg.creates(), cfg.listDbs(), cfg.seconds()));
        Platform p = platform(s);
        if (p == null) {
            s.single("create database", "p99", Double.NaN, "ms", Report.Goal.atMostMs(50));
            return;
        }
        Measure.Recorder rec = new Measure.Recorder();
        long t0 = System.nanoTime();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= cfg.creates(); i++) {
            String name = "cp-" + i;
            try {
                rec.add(p.create(name));
            } catch (Platform.QuotaException q) {
                quota(s, q);
                break;
            }
            names.add(name);
            platformDbs.add(name);
        }
        for (String n : names) p.awaitReady(n, Duration.ofSeconds(120));
        double total = (System.nanoTime() - t0) / 1e9;
        int created = names.size();
        Measure create = Measure.ofLatencies(rec.nanos, rec.n, total, 0);
        s.single("create database", "p50", create.p50ms(), "ms", Report.Goal.NONE);
        s.single("create database", "p99", create.p99ms(), "ms", Report.Goal.atMostMs(50));
        s.single(String.format("%,d databases created and ready", created), "total", total, "s",
                new Report.Goal("< 15 s for 500", (v, x, r) -> v * 500.0 / Math.max(1, created) < 15));
        s.single("create throughput", "", created / total, "databases/s", Report.Goal.NONE);

        if (created == cfg.creates()) fill(s, p, "cp-", cfg.creates() + 1, cfg.listDbs());
        int listed = (int) platformDbs.stream().filter(n -> n.startsWith("cp-")).count();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        List<String> cats = new ArrayList<>(List.of("create"));
        List<Double> p50s = new ArrayList<>(List.of(create.p50ms()));
        List<Double> p99s = new ArrayList<>(List.of(create.p99ms()));
        if (wrk != null) {
            for (int c : List.of(1, 16)) {
                Wrk.Result l = wrk.run(p.dbUrl(), c, cfg.seconds(), "get", p.adminToken);
                Log.info("list c=" + c + " " + l.raw());
                Wrk.Result g = wrk.run(p.dbUrl() + "/", c, cfg.seconds(), "getname", p.adminToken, String.valueOf(listed), "noclose", "cp-");
                Log.info("get c=" + c + " " + g.raw());
                for (var e : Map.of("list", l, "get", g).entrySet()) {
                    Measure me = Measure.of(e.getValue());
                    String t = String.format("%s (%,d dbs) c=%d", e.getKey(), platformDbs.size(), c);
                    s.single(t, "req/s", me.opsPerSec(), "", Report.Goal.NONE);
                    s.single(t, "p50", me.p50ms(), "ms", Report.Goal.NONE);
                    s.single(t, "p99", me.p99ms(), "ms", Report.Goal.NONE);
                    if (me.errors() > 0) s.notes.add(t + ": " + me.note() + " of " + me.ops());
                    if (c == 1) { cats.add(e.getKey() + " c=1"); p50s.add(me.p50ms()); p99s.add(me.p99ms()); }
                }
            }
        }
        if (wrk != null && baselineCompared() && listed > 0) controlAgainstBaseline(s, p, listed);
        s.notes.add("no peer is run for the control plane (tursodb has no Platform API); figures stand against the goals only.");
        series.put("p50", p50s);
        series.put("p99", p99s);
        chart(s, "control-plane.png", "Control plane latency (ms, lower is better)", "ms", cats, series, false);
    }

    /** Creates prefix+from .. prefix+to with 4 parallel creators and waits until each is ready. */
    private void quota(Report.Section s, Platform.QuotaException q) {
        String msg = "stopped at " + platformDbs.size() + " databases in organization `default`: " + q.getMessage()
                + " — the admin organization is on the starter plan (500 databases) and the API offers no way to lift it; figures below are at that size.";
        s.notes.add("**quota:** " + msg);
        skip(msg);
    }

    /**
     * Get and list at the same size on the current control plane and on the baseline commit's, back to back per point:
     * the before/after of the hand-written hot reads, the token cache and pagination. The current side also serves
     * one page ({@code ?limit=100}); the baseline has no pagination, so its row is the whole list.
     */
    private void controlAgainstBaseline(Report.Section s, Platform p, int listed) throws Exception {
        Platform b = baselineSide.get(s, baselineFailure != null ? baselineFailure : "comparison not run");
        if (b == null) return;
        String label = "baseline " + (baseline == null ? cfg.baselineRef() : baseline.shortCommit);
        List<String> bDbs = java.util.Collections.synchronizedList(new ArrayList<>());
        fillInto(s, b, "cp-", 1, listed, bDbs);
        int bListed = bDbs.size();
        int rounds = Math.max(1, cfg.baselineRounds());
        s.intro.add(String.format("Current vs %s: the same %,d databases created on the baseline commit's control plane; get measured "
                + "interleaved (%s, control-plane CPU per request from /proc), then list and (current only, paginated) one page of 100 "
                + "measured with wrk on each, back to back, %d s per point.",
                label, bListed, roundsText(rounds, List.of(1, 16), "current and baseline"), cfg.seconds()));
        String cur = "current", base = label;
        Rounds r = Rounds.run("CONTROL get", List.of(
                        new Rounds.Target(cur, p.controlPlane.pid(), (c, secs) -> wrk.run(p.dbUrl() + "/", c, secs, "getname", p.adminToken,
                                String.valueOf(listed), "noclose", "cp-")),
                        new Rounds.Target(base, b.controlPlane.pid(), (c, secs) -> wrk.run(b.dbUrl() + "/", c, secs, "getname", b.adminToken,
                                String.valueOf(bListed), "noclose", "cp-"))),
                List.of(1, 16), rounds, cfg.seconds(), cfg.warmup());
        noteLoads(s, "control plane get", r);
        for (int c : List.of(1, 16)) {
            String get = String.format("get (%,d dbs) c=%d, current", listed, c);
            Rounds.Ratio ops = r.ratio(cur, base, c, Rounds::ops), cpu = r.ratio(cur, base, c, Rounds::cpu);
            s.compare(get, label, "req/s", r.median(cur, c, Rounds::ops), r.median(base, c, Rounds::ops), "", ops, Report.Goal.ratioAtLeast(5));
            s.compare(get, label, "p50", r.median(cur, c, Rounds::p50), r.median(base, c, Rounds::p50), "ms", r.ratio(cur, base, c, Rounds::p50), Report.Goal.NONE);
            s.compare(get, label, "p99", r.median(cur, c, Rounds::p99), r.median(base, c, Rounds::p99), "ms", r.ratio(cur, base, c, Rounds::p99), Report.Goal.NONE);
            s.compare(get, label, "control-plane CPU/request", r.median(cur, c, Rounds::cpu), r.median(base, c, Rounds::cpu), "µs", cpu, Report.Goal.NONE);
            s.notes.add(String.format("control plane get c=%d, ratio per round: req/s %s; control-plane CPU/request %s; load average per round %s",
                    c, ops.rounds(), cpu.rounds(), String.join(", ", r.loads().stream().map(Report::fmt).toList())));
            Log.info(String.format("CONTROL get c=%d: current %s req/s | %s %s req/s | ratio %s; CPU/request ratio %s", c,
                    Report.fmt(r.median(cur, c, Rounds::ops)), base, Report.fmt(r.median(base, c, Rounds::ops)), ops.text(), cpu.text()));
        }
        for (int c : List.of(1, 16)) {
            Measure listCur = Measure.of(wrk.run(p.dbUrl(), c, cfg.seconds(), "get", p.adminToken));
            Measure pageCur = Measure.of(wrk.run(p.dbUrl() + "?limit=100", c, cfg.seconds(), "get", p.adminToken));
            Measure listBase = Measure.of(wrk.run(b.dbUrl(), c, cfg.seconds(), "get", b.adminToken));
            String list = String.format("list, all (%,d dbs) c=%d, current", listed, c);
            s.compare(list, label, "req/s", listCur.opsPerSec(), listBase.opsPerSec(), "", Report.Goal.NONE);
            s.compare(list, label, "p50", listCur.p50ms(), listBase.p50ms(), "ms", Report.Goal.NONE);
            String page = String.format("list, page of 100 (%,d dbs) c=%d, current", listed, c);
            s.compare(page, label + " (whole list)", "p50", pageCur.p50ms(), listBase.p50ms(), "ms", Report.Goal.atMostMs(10));
            s.compare(page, label + " (whole list)", "p99", pageCur.p99ms(), listBase.p99ms(), "ms", Report.Goal.NONE);
        }
    }

    private void fill(Report.Section s, Platform p, String prefix, int from, int to) throws Exception {
        fillInto(s, p, prefix, from, to, platformDbs);
    }

    private void fillInto(Report.Section s, Platform p, String prefix, int from, int to, List<String> into) throws Exception {
        if (from > to) return;
        Log.info("creating " + prefix + from + " .. " + prefix + to);
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = from; i <= to; i++) {
                String name = prefix + i;
                fs.add(ex.submit(() -> {
                    p.create(name);
                    p.awaitReady(name, Duration.ofSeconds(120));
                    into.add(name);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof Platform.QuotaException q)) throw e;
                    quota(s, q);
                    break;
                }
            }
        } finally {
            ex.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- 4. density

    private void density(Report.Section s) throws Exception {
        Platform p = platform(s);
        if (p == null) {
            s.single("first query to a closed database", "p99", Double.NaN, "ms", Report.Goal.atMostMs(10));
            return;
        }
        int have = platformDbs.size();
        fill(s, p, "d-", 1, cfg.densityDbs() - have);
        List<String> dbs = new ArrayList<>(platformDbs);
        s.intro.add(String.format("%,d databases on one worker (`-Xmx%s`, `max-open-databases` %s). Warm-up: a token minted for and one `SELECT 1` "
                + "sent to every database, in creation order; then a full GC (`jcmd GC.run`) and heap used (`jcmd GC.heap_info`), "
                + "/proc/<pid>/fd count, VmRSS. Then `SELECT 1` to %,d of the least recently used databases (closed by the LRU) one at a time "
                + "(JDK HttpClient), beside the same query to databases still open.",
                dbs.size(), cfg.serverHeap(), cfg.maxOpen() > 0 ? String.valueOf(cfg.maxOpen()) : "default 1,000", cfg.densitySamples()));
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (String n : dbs) fs.add(ex.submit(() -> { if (!tokens.containsKey(n)) tokens.put(n, p.token(n)); return null; }));
            for (Future<?> f : fs) f.get();
        } finally {
            ex.shutdownNow();
        }
        Log.info("warm-up: one query to each of " + dbs.size() + " databases");
        for (String n : dbs) Http.check(http.post(p.pipelineUrl(), tokens.get(n), Http.pipeline("SELECT 1", true)), "warm-up " + n);
        long pid = p.worker.pid();
        double heapMb = heapUsedMb(pid);
        long fds = fdCount(pid);
        double rssMb = rssMb(pid);
        s.single("worker heap after warm-up + full GC", "", heapMb, "MiB", new Report.Goal("≤ 1,024 MiB", (v, x, r) -> v <= 1024));
        s.single("worker open files", "", fds, "fds", Report.Goal.NONE);
        s.single("worker RSS", "", rssMb, "MiB", Report.Goal.NONE);

        int samples = Math.min(cfg.densitySamples(), Math.max(1, dbs.size() / 2));
        int open = cfg.maxOpen() > 0 ? cfg.maxOpen() : 1000;
        Measure.Recorder cold = new Measure.Recorder();
        Measure.Recorder warm = new Measure.Recorder();
        // the most recently used databases (still open), sampled before the cold ones evict them
        List<String> recent = dbs.subList(Math.max(0, dbs.size() - Math.min(open, samples) / 2), dbs.size());
        for (String n : recent) warm.add(Http.check(http.post(p.pipelineUrl(), tokens.get(n), Http.pipeline("SELECT 1", true)), "warm " + n).nanos());
        for (int i = 0; i < samples; i++) {
            String n = dbs.get(i);
            cold.add(Http.check(http.post(p.pipelineUrl(), tokens.get(n), Http.pipeline("SELECT 1", true)), "cold " + n).nanos());
        }
        Measure mc = Measure.ofLatencies(cold.nanos, cold.n, 1, 0);
        if (dbs.size() <= open) {
            s.notes.add(String.format("only %,d databases ≤ max-open %,d: none was closed, so the first-query figure is not measured", dbs.size(), open));
            mc = new Measure(Double.NaN, Double.NaN, Double.NaN, 0, 0, "");
        }
        Measure mw = Measure.ofLatencies(warm.nanos, warm.n, 1, 0);
        s.compare("first query to a closed database", "same query, open database", "p50", mc.p50ms(), mw.p50ms(), "ms", Report.Goal.NONE);
        s.compare("first query to a closed database", "same query, open database", "p99", mc.p99ms(), mw.p99ms(), "ms", Report.Goal.atMostMs(10));
        if (dbs.size() - samples < open) s.notes.add("fewer databases than max-open + samples: some 'closed' samples may still have been open");
        s.notes.add(String.format("%,d cold samples, %,d open samples", cold.n, warm.n));
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("closed database (first query)", List.of(mc.p50ms(), mc.p99ms()));
        series.put("open database", List.of(mw.p50ms(), mw.p99ms()));
        chart(s, "density.png", String.format("SELECT 1 latency with %,d databases on one worker (ms)", dbs.size()), "ms",
                List.of("p50", "p99"), series, false);
    }

    /** The 1-minute load average (/proc/loadavg); NaN if unreadable. */
    static double loadAverage1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static String loadAverages() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static double heapUsedMb(long pid) {
        try {
            run(Proc.jdkTool("jcmd"), String.valueOf(pid), "GC.run");
            String out = run(Proc.jdkTool("jcmd"), String.valueOf(pid), "GC.heap_info");
            Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(out);
            if (m.find()) return Long.parseLong(m.group(1)) / 1024.0;
            Log.info("could not parse GC.heap_info: " + out);
        } catch (Exception e) {
            Log.info("jcmd failed: " + e);
        }
        return Double.NaN;
    }

    /** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux the kernel's ABI allows (x86, arm64). */
    static final double USER_HZ = 100;

    /** utime + stime of a process, all its threads, in USER_HZ ticks (fields 14 and 15 of /proc/<pid>/stat); -1 if unreadable. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis, which is field 3's start
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long fdCount(long pid) {
        String[] l = new java.io.File("/proc/" + pid + "/fd").list();
        return l == null ? -1 : l.length;
    }

    static double rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException e) {
            // fall through
        }
        return Double.NaN;
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private void chart(Report.Section s, String file, String title, String y, List<String> cats, Map<String, List<Double>> series, boolean log) {
        try {
            Report.bars(cfg.out().resolve(file), title, y, cats, series, log);
            s.charts.add(file);
        } catch (Exception e) {
            s.notes.add("chart " + file + " failed: " + oneLine(e));
        }
    }

    private static double ops(Measure m) { return m == null ? Double.NaN : m.opsPerSec(); }

    private static double p50(Measure m) { return m == null ? Double.NaN : m.p50ms(); }

    private static double p99(Measure m) { return m == null ? Double.NaN : m.p99ms(); }

    private void header() {
        List<String> h = report.header;
        h.add("Generated " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " by `bench/run` at commit `"
                + safe(() -> run("git", "-C", cfg.root().toString(), "rev-parse", "--short", "HEAD").trim()) + "`.");
        h.add("");
        h.add("- **Load generator:** " + (wrk != null ? wrk.version() : "wrk (not installed)")
                + " with `bench/src/main/resources/wrk/bench.lua` for every HTTP throughput/latency figure, the same for every target "
                + "(platform worker, tursodb, ceiling, control plane); percentiles from wrk's `done()` (no coordinated-omission correction). "
                + "JDK HttpClient for sequential control-plane creates and density first-query probes; a plain Java loop for in-process sqlite-jdbc.");
        h.add("- **Machine:** " + Runtime.getRuntime().availableProcessors() + " cores (nproc), " + safe(Harness::cpuModel) + ", "
                + safe(Harness::memTotal) + "; load generator, servers and harness share those cores.");
        h.add("- **JVM:** harness " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; servers (platform, ceiling) " + safe(() -> run(Proc.java(), "-version").lines().filter(l -> l.contains("Runtime")).findFirst().orElse("?").trim())
                + ", `-Xmx" + cfg.serverHeap() + "`.");
        h.add("- **Peers:** " + Tursodb.find(cfg.benchDir()).map(Tursodb::version).map(v -> "`tursodb --sync-server` (" + v + ", npm `@tursodatabase/cli-linux-x64-gnu@0.6.0`)").orElse("tursodb not installed")
                + "; ceiling = minimal Spring MVC + sqlite-jdbc endpoint (`bench/src/main/java/.../ceiling/CeilingApp.java`); raw sqlite-jdbc in process.");
        h.add(String.format("- **Sizes:** %,d rows, %d s per measurement, read clients %s, write clients %s, batches of %,d, %,d creates, list/get at %,d dbs, density %,d dbs, synchronous=%s; "
                        + "sandbox on/off: %d interleaved rounds at clients %s%s.",
                cfg.rows(), cfg.seconds(), cfg.clients(), cfg.writeClients(), cfg.batchRows(), cfg.creates(), cfg.listDbs(), cfg.densityDbs(), cfg.synchronous(),
                cfg.sandboxRounds(), cfg.sandboxClients(),
                cfg.baselineRef() == null ? "" : String.format("; current/baseline: %d interleaved rounds at clients %s against `--baseline-ref=%s`%s",
                        cfg.baselineRounds(), cfg.baselineClients(), cfg.baselineRef(),
                        baseline != null ? " = `" + baseline.shortCommit + "`" + (baseline.cached ? " (jars from the cache)" : " (built in this run)")
                                : baselineFailure != null ? " (" + baselineFailure + ")" : "")));
        h.add("- **Load:** 1-minute / 5-minute / 15-minute load average " + loadAverages() + " when the measurements began.");
        h.add("- Ratios are figure ÷ peer figure; for latency lower is better. Nothing here is asserted by a test.");
    }

    interface S { String get() throws Exception; }

    private static String safe(S s) {
        try { return s.get(); } catch (Exception e) { return "?"; }
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    }

    private static String memTotal() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
                .map(l -> String.format("%.0f GiB RAM", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0)).orElse("?");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
