package dev.libsqlplatform.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 5, replication: (a) write throughput with the frame log beside the same platform with
 * {@code platform.worker.replication.enabled=false}, interleaved rounds; (b) the first sync of a database of
 * {@code --sync-mb} MB by an embedded replica (gRPC-web, snapshot + frames, {@link ReplicaClient}) beside a plain HTTP
 * download of the same bytes from an in-process file server; (c) replica lag under a write load: the time from a
 * write's acknowledgement until a continuously syncing replica holds it, p50/p99.
 */
final class ReplicationBench {
    private final BenchConfig cfg;
    private final Wrk wrk;
    private final Http http = new Http();

    ReplicationBench(BenchConfig cfg, Wrk wrk) {
        this.cfg = cfg;
        this.wrk = wrk;
    }

    void run(Report.Section s) throws Exception {
        String missing = Platform.missingJars(cfg.root());
        if (missing != null) {
            s.notes.add("platform not measured: " + missing);
            return;
        }
        int rounds = Math.max(1, cfg.sandboxRounds());
        String variant = variantText();
        s.intro.add(String.format("Frame log on/off: the same jars, a second platform whose worker runs with "
                + "`platform.worker.replication.enabled=false`%s; `INSERT INTO w(v)` autocommit (wrk, clients %s) and %,d-row "
                + "batches (1 client). Interleaved: every side warmed %d s at every load, then %d round(s) of %d s per point, "
                + "each round measuring every load on every side back to back, the order reversed every other round. "
                + "Figures are medians over the rounds; ratios are computed per round and averaged, with the lowest and "
                + "highest round in brackets. Worker CPU/request = the worker process's user+sys time (`/proc/<pid>/stat`, "
                + "10 ms ticks) over the requests wrk completed (a request = one row in autocommit, one batch of %,d rows)."
                + (cfg.syncMb() > 0 ? " First sync: a %d MB database pulled by an embedded replica over gRPC-web (Hello, "
                + "NEED_SNAPSHOT, streamed Snapshot, BatchLogEntries) beside a plain HTTP GET of the same file from an "
                + "in-process JDK file server. Lag: one writer inserting sequentially, one replica syncing in a loop; lag = "
                + "time from a write's HTTP answer to the end of the first sync that holds it." : " (`--sync-mb=0`: first "
                + "sync and replica lag not measured.)"),
                variant.isEmpty() ? "" : ", and a third, frame log on, whose worker runs with `" + variant + "`",
                cfg.writeClients(), cfg.batchRows(), cfg.warmup(), rounds, cfg.seconds(), cfg.batchRows(), cfg.syncMb()));
        Platform v = null;
        try (Platform on = Platform.start(Platform.Jars.of(cfg.root()), cfg.work().resolve("repl-on"), cfg, true, Map.of());
             Platform off = Platform.start(Platform.Jars.of(cfg.root()), cfg.work().resolve("repl-off"), cfg, true,
                     Map.of("PLATFORM_WORKER_REPLICATION_ENABLED", "false"))) {
            if (!variant.isEmpty()) {
                v = Platform.start(Platform.Jars.of(cfg.root()), cfg.work().resolve("repl-variant"), cfg, true, cfg.variant());
            }
            throughput(s, on, off, v, rounds);
            off.close();
            if (v != null) {
                v.close();
                v = null;
            }
            if (cfg.syncMb() > 0) {
                firstSync(s, on);
                lag(s, on);
            }
        } finally {
            if (v != null) v.close();
        }
    }

    private String variantText() {
        return cfg.variant().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static final String ON = "frame log on";
    private static final String OFF = "frame log off";
    private static final String VARIANT = "frame log on, variant";

    private void throughput(Report.Section s, Platform on, Platform off, Platform variant, int rounds) throws Exception {
        if (wrk == null) {
            s.notes.add("wrk missing: log on/off throughput not measured");
            return;
        }
        String tOn = writesDb(on);
        String tOff = writesDb(off);
        verifyLog(on, tOn, true);
        verifyLog(off, tOff, false);
        String tVar = variant == null ? null : writesDb(variant);
        List<Rounds.Target> auto = new ArrayList<>();
        List<Rounds.Target> batch = new ArrayList<>();
        auto.add(new Rounds.Target(ON, on.worker.pid(), (c, secs) -> insert(on, tOn, c, secs)));
        auto.add(new Rounds.Target(OFF, off.worker.pid(), (c, secs) -> insert(off, tOff, c, secs)));
        batch.add(new Rounds.Target(ON, on.worker.pid(), (c, secs) -> batch(on, tOn, secs)));
        batch.add(new Rounds.Target(OFF, off.worker.pid(), (c, secs) -> batch(off, tOff, secs)));
        if (variant != null) {
            auto.add(new Rounds.Target(VARIANT, variant.worker.pid(), (c, secs) -> insert(variant, tVar, c, secs)));
            batch.add(new Rounds.Target(VARIANT, variant.worker.pid(), (c, secs) -> batch(variant, tVar, secs)));
        }
        Rounds a = Rounds.run("replication autocommit", auto, cfg.writeClients(), rounds, cfg.seconds(), cfg.warmup());
        Rounds b = Rounds.run("replication batches", batch, List.of(1), rounds, cfg.seconds(), cfg.warmup());
        noteLoads(s, "autocommit rounds", a);
        noteLoads(s, "batch rounds", b);
        List<String[]> pairs = new ArrayList<>();
        pairs.add(new String[] {ON, OFF});
        if (variant != null) {
            pairs.add(new String[] {ON, VARIANT});
        }
        for (String[] pair : pairs) {
            String peer = pair[1].equals(OFF) ? "same, frame log off" : "same, frame log on with `" + variantText() + "`";
            Report.Goal goal = pair[1].equals(OFF) ? Report.Goal.ratioAtLeast(0.9) : Report.Goal.NONE;
            for (int c : cfg.writeClients()) {
                rows(s, a, pair, c, "platform autocommit c=" + c + ", frame log on", peer, "rows/s", 1, goal);
            }
            rows(s, b, pair, 1, "platform " + cfg.batchRows() + "-row batches, frame log on", peer, "rows/s", cfg.batchRows(), goal);
        }
    }

    /** Throughput (goal judged on the mean per-round ratio), p50 and worker CPU per request, with their spread. */
    private static void rows(Report.Section s, Rounds r, String[] pair, int c, String what, String peer, String unit,
                             int rowsPerRequest, Report.Goal goal) {
        String x = pair[0];
        String y = pair[1];
        Rounds.Ratio ops = r.ratio(x, y, c, Rounds::ops);
        Rounds.Ratio cpu = r.ratio(x, y, c, Rounds::cpu);
        s.compare(what, peer, unit, r.median(x, c, Rounds::ops) * rowsPerRequest, r.median(y, c, Rounds::ops) * rowsPerRequest, "",
                ops, goal);
        s.compare(what, peer, "p50", r.median(x, c, Rounds::p50), r.median(y, c, Rounds::p50), "ms",
                r.ratio(x, y, c, Rounds::p50), Report.Goal.NONE);
        s.compare(what, peer, rowsPerRequest == 1 ? "worker CPU/request" : "worker CPU/batch", r.median(x, c, Rounds::cpu),
                r.median(y, c, Rounds::cpu), "µs", cpu, Report.Goal.NONE);
        s.notes.add(String.format("%s vs %s, ratio per round: %s %s; worker CPU/request %s", what, peer, unit,
                ops.rounds(), cpu.rounds()));
        long errs = r.errors(x, c) + r.errors(y, c);
        if (errs > 0) s.notes.add(String.format("%s: %d wrk errors over both sides", what, errs));
    }

    private static void noteLoads(Report.Section s, String label, Rounds r) {
        double[] l = r.loads().stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (l.length > 0) {
            s.notes.add(String.format(java.util.Locale.ROOT, "%s: 1-minute load average at the start of each round %.1f–%.1f",
                    label, l[0], l[l.length - 1]));
        }
    }

    private Wrk.Result insert(Platform p, String token, int clients, int seconds) throws Exception {
        return wrk.run(p.pipelineUrl(), clients, seconds, "insert", token, "0", "close");
    }

    private Wrk.Result batch(Platform p, String token, int seconds) throws Exception {
        return wrk.run(p.pipelineUrl(), 1, seconds, "batch", token, "0", "close", String.valueOf(cfg.batchRows()));
    }

    private String writesDb(Platform p) throws Exception {
        String token = p.readyDatabaseWithToken("bench-repl-writes");
        http.loadKv(p.pipelineUrl(), token, 0, true);
        return token;
    }

    /** Proves the two workers differ as the comparison says: Hello answers with the log on, UNAVAILABLE without. */
    private void verifyLog(Platform p, String token, boolean expectOn) throws Exception {
        Path f = Files.createTempFile(cfg.work(), "verify", ".db");
        ReplicaClient c = new ReplicaClient(p.workerUrl, token, f);
        try {
            c.sync();
            if (!expectOn) throw new IOException("the worker without a frame log answered a sync");
        } catch (IOException e) {
            if (expectOn || !String.valueOf(e.getMessage()).contains("14")) throw e;
        } finally {
            c.close();
            Files.deleteIfExists(f);
        }
    }

    private void firstSync(Report.Section s, Platform p) throws Exception {
        String token = p.readyDatabaseWithToken("bench-repl-sync");
        Http.check(http.post(p.pipelineUrl(), token, Http.pipeline("CREATE TABLE big(b BLOB)", true)), "create big");
        long target = (long) cfg.syncMb() * 1024 * 1024;
        long rowsPerStatement = 256; // 256 × 8 KB = 2 MB per statement
        for (long loaded = 0; loaded < target; loaded += rowsPerStatement * 8000) {
            Http.check(http.post(p.pipelineUrl(), token, Http.pipeline("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1"
                    + " FROM c WHERE x < " + rowsPerStatement + ") INSERT INTO big SELECT randomblob(8000) FROM c", true)), "load big");
        }
        Path replicaFile = cfg.work().resolve("first-sync-replica.db");
        Files.deleteIfExists(replicaFile);
        ReplicaClient replica = new ReplicaClient(p.workerUrl, token, replicaFile);
        long t0 = System.nanoTime();
        replica.sync();
        double syncSeconds = (System.nanoTime() - t0) / 1e9;
        replica.close();
        long size = Files.size(replicaFile);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + replicaFile); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            if (!"ok".equals(rs.getString(1))) throw new IOException("the synced replica fails integrity_check: " + rs.getString(1));
        }
        // the peer: the same bytes over plain HTTP from a JDK file server on this machine
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/db", ex -> {
            ex.sendResponseHeaders(200, size);
            try (OutputStream out = ex.getResponseBody()) {
                Files.copy(replicaFile, out);
            }
        });
        server.start();
        double getSeconds;
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Path download = cfg.work().resolve("first-sync-download.db");
            long g0 = System.nanoTime();
            HttpResponse<Path> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.getAddress().getPort() + "/db")).build(), HttpResponse.BodyHandlers.ofFile(download));
            getSeconds = (System.nanoTime() - g0) / 1e9;
            if (r.statusCode() != 200 || Files.size(download) != size) throw new IOException("download failed");
            Files.delete(download);
        } finally {
            server.stop(0);
        }
        double mb = size / 1024.0 / 1024.0;
        s.compare(String.format("first sync of a %.0f MB database (embedded replica)", mb), "plain HTTP download of the file",
                "MB/s", mb / syncSeconds, mb / getSeconds, "", Report.Goal.NONE);
        s.compare(String.format("first sync of a %.0f MB database (embedded replica)", mb), "plain HTTP download of the file",
                "seconds", syncSeconds, getSeconds, "s", Report.Goal.NONE);
        s.notes.add(String.format("first sync: %,d bytes on the wire for a %,d-byte file", replica.bytes, size));
    }

    private void lag(Report.Section s, Platform p) throws Exception {
        String token = p.readyDatabaseWithToken("bench-repl-lag");
        Http.check(http.post(p.pipelineUrl(), token, Http.pipeline("CREATE TABLE lag(id INTEGER PRIMARY KEY, v TEXT)", true)), "create lag");
        Path file = cfg.work().resolve("lag-replica.db");
        Files.deleteIfExists(file);
        ReplicaClient replica = new ReplicaClient(p.workerUrl, token, file);
        replica.sync();
        int max = 1 << 20;
        long[] ackedAt = new long[max];
        AtomicLong written = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            Http h = new Http();
            for (int id = 1; id < max && !stop.get(); id++) {
                try {
                    Http.check(h.post(p.pipelineUrl(), token, Http.pipeline("INSERT INTO lag VALUES (" + id + ", 'x')", true)), "insert");
                } catch (Exception e) {
                    return;
                }
                ackedAt[id] = System.nanoTime();
                written.set(id);
            }
        });
        Measure.Recorder lags = new Measure.Recorder();
        long seen = 0;
        long deadline = System.nanoTime() + cfg.seconds() * 1_000_000_000L;
        writer.start();
        try {
            while (System.nanoTime() < deadline) {
                replica.sync();
                long now = System.nanoTime();
                long visible;
                // a fresh connection each time: the file is written underneath, not through SQLite
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM lag")) {
                    rs.next();
                    visible = rs.getLong(1);
                }
                long acked = written.get();
                for (long id = seen + 1; id <= Math.min(visible, acked); id++) {
                    lags.add(Math.max(0, now - ackedAt[(int) id]));
                }
                seen = Math.max(seen, Math.min(visible, acked));
            }
        } finally {
            stop.set(true);
            writer.join();
            replica.close();
        }
        long[] sorted = Arrays.copyOf(lags.nanos, lags.n);
        Arrays.sort(sorted);
        s.single("replica lag under 1 sequential writer (" + lags.n + " writes)", "p50", Measure.pct(sorted, 50) / 1e6, "ms", Report.Goal.NONE);
        s.single("replica lag under 1 sequential writer (" + lags.n + " writes)", "p99", Measure.pct(sorted, 99) / 1e6, "ms", Report.Goal.NONE);
    }
}
