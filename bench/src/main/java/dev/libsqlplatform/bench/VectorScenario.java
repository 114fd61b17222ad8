package dev.libsqlplatform.bench;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 6: libSQL vector search. Vectors of D dimensions (clustered, seeded), top-10 queries through
 * {@code vector_top_k} on the platform (Hrana over HTTP, one query at a time) beside the npm {@code libsql} engine's
 * own DiskANN index on the same data (in-process, bench/vector/libsql-peer.mjs). Reports latency, recall@10 against
 * the exact top 10 (computed here), and what maintaining the index costs inserts on each side.
 * <p>
 * Two sizes, because libSQL's index inserts only a few rows a second at 768 dimensions (8.5 rows/s at 2,000 rows):
 * the comparison runs both engines on the first --vector-peer-rows vectors (same data, same queries, ratios), and
 * the platform alone then runs the full --vector-rows (the 100,000), reported as single figures.
 */
final class VectorScenario {
    /**
     * Sizes: --vector-rows (default 100,000), --vector-dims (768), --vector-queries (100), --vector-batch (100 rows a
     * request), --vector-peer-rows (1,000: the rows both engines get in the side-by-side comparison; at most rows).
     */
    record Sizes(int rows, int dims, int queries, int batch, int peerRows) {
        static Sizes parse(Map<String, String> m) {
            int rows = i(m, "vector-rows", 100_000);
            return new Sizes(rows, i(m, "vector-dims", 768), i(m, "vector-queries", 100), i(m, "vector-batch", 100),
                    Math.min(rows, i(m, "vector-peer-rows", 1_000)));
        }

        private static int i(Map<String, String> m, String k, int d) {
            return m.containsKey(k) ? Integer.parseInt(m.get(k).replace("_", "")) : d;
        }
    }

    private static final int K = 10;
    private static final Pattern ID = Pattern.compile("\\{\"type\":\"integer\",\"value\":\"(\\d+)\"\\}");
    private static final Pattern PEER_LINE = Pattern.compile("^(\\w+) (.*)$");

    private final BenchConfig cfg;
    private final Sizes sizes;
    private final Http http;

    VectorScenario(BenchConfig cfg, Http http) {
        this.cfg = cfg;
        this.sizes = cfg.vectors();
        this.http = http;
    }

    void run(Report.Section s, Platform p) throws Exception {
        int n = sizes.rows();
        int small = sizes.peerRows();
        int d = sizes.dims();
        s.intro.add(String.format("Vectors of %d dimensions (F32_BLOB(%d), 100 Gaussian clusters, seed 7) and %d queries near them; "
                + "`SELECT id FROM vector_top_k('idx', ?, 10)` one at a time. Platform: Hrana over HTTP (JDK HttpClient), the worker's "
                + "search (exact under 1,000 rows, else its int8 copy with exact re-ranking); peer: the npm `libsql` 0.5.29 engine's DiskANN index on a local file, in-process (no network). Recall@10 against the "
                + "exact top 10 by cosine distance. Inserts: %d rows a request (platform) or a transaction (peer), into a table without and "
                + "one with the vector index, batch by batch in turn (rows/s counts the time spent in each table's batches). "
                + "Side by side: both engines on the same first %,d vectors (libSQL's index inserts a few rows a second at this width, "
                + "so it cannot be filled to %,d in minutes); then the platform alone on all %,d vectors.", d, d, sizes.queries(), sizes.batch(), small, n, n));
        float[][] all = clustered(n, d, new Random(7));
        float[][] data = Arrays.copyOf(all, small);
        float[][] queries = nearby(data, sizes.queries(), new Random(11));
        int[][] exact = exactTopK(data, queries);

        Peer peer = peer(s, data, queries);
        Measured platform = p == null ? Measured.NONE : measure(p, data, queries, exact);
        double peerRecall = Double.NaN;
        if (peer != null) {
            double sum = 0;
            for (int q = 0; q < queries.length; q++) sum += recall(peer.results.get(q), exact[q]);
            peerRecall = sum / queries.length;
        }
        double[] peerLatency = peer == null ? new double[] {Double.NaN, Double.NaN} : peer.latencyMs;
        double[] peerInsert = peer == null ? new double[] {Double.NaN, Double.NaN} : peer.insertRowsPerSec;
        String at = String.format(" (n = %,d)", small);
        String libsql = "npm libsql (DiskANN, in-process)" + at;
        s.compare("platform top-10" + at, libsql, "p50", platform.latencyMs[0], peerLatency[0], "ms", Report.Goal.atMostPeer());
        s.compare("platform top-10" + at, libsql, "p99", platform.latencyMs[1], peerLatency[1], "ms", Report.Goal.atMostPeer());
        s.compare("platform recall@10" + at, libsql, "mean", platform.recall, peerRecall, "", new Report.Goal("≥ 0.95", (v, x, r) -> v >= 0.95));
        s.compare("platform inserts, no index" + at, libsql + ", no index", "rows/s", platform.insert[0], peerInsert[0], "rows/s", Report.Goal.NONE);
        s.compare("platform inserts, with the index" + at, libsql + ", with its index", "rows/s", platform.insert[1], peerInsert[1], "rows/s", Report.Goal.NONE);
        s.single("platform: index cost (insert rate with / without)" + at, "ratio", platform.insert[1] / platform.insert[0], "×", Report.Goal.NONE);
        s.single("npm libsql: index cost (insert rate with / without)" + at, "ratio", peerInsert[1] / peerInsert[0], "×", Report.Goal.NONE);

        if (n > small && p != null) {
            float[][] fullQueries = nearby(all, sizes.queries(), new Random(11));
            Measured full = measure(p, all, fullQueries, exactTopK(all, fullQueries));
            String atFull = String.format(" (n = %,d)", n);
            s.single("platform top-10" + atFull, "p50", full.latencyMs[0], "ms", Report.Goal.NONE);
            s.single("platform top-10" + atFull, "p99", full.latencyMs[1], "ms", Report.Goal.NONE);
            s.single("platform first top-10 after the inserts (builds the copy)" + atFull, "latency", full.firstMs, "ms", Report.Goal.NONE);
            s.single("platform recall@10" + atFull, "mean", full.recall, "", new Report.Goal("≥ 0.95", (v, x, r) -> v >= 0.95));
            s.single("platform inserts, no index" + atFull, "rows/s", full.insert[0], "rows/s", Report.Goal.NONE);
            s.single("platform inserts, with the index" + atFull, "rows/s", full.insert[1], "rows/s", Report.Goal.NONE);
            s.single("platform: index cost (insert rate with / without)" + atFull, "ratio", full.insert[1] / full.insert[0], "×", Report.Goal.NONE);
            s.notes.add(String.format("npm libsql's index was not filled to %,d rows: at its measured insert rate with the index that alone "
                    + "would take about %,.0f minutes.", n, Double.isNaN(peerInsert[1]) ? Double.NaN : n / peerInsert[1] / 60));
        }
        s.notes.add("the platform ranks indexes under 1,000 rows exactly; larger ones through an int8 copy of the vectors held in the "
                + "worker's memory (built by the first search, which ranks exactly), re-ranking 4k + 40 candidates exactly from the table "
                + "(README, libSQL SQL). libSQL's is DiskANN. The peer runs in-process: its latency has no HTTP round trip. p50/p99 include "
                + "the first search.");
    }

    /** Insert rates {without, with the index} (rows/s), query latency {p50, p99} (ms) and mean recall@10 on the platform. */
    private record Measured(double[] insert, double[] latencyMs, double recall, double firstMs) {
        static final Measured NONE = new Measured(new double[] {Double.NaN, Double.NaN}, new double[] {Double.NaN, Double.NaN}, Double.NaN, Double.NaN);
    }

    /** A fresh platform database with the two tables filled with data, then every query once. */
    private Measured measure(Platform p, float[][] data, float[][] queries, int[][] exact) throws Exception {
        int d = data[0].length;
        String db = "vectors-" + Long.toHexString(System.nanoTime());
        String token = p.readyDatabaseWithToken(db);
        String url = p.pipelineUrl();
        exec(url, token, "CREATE TABLE plain (id INTEGER PRIMARY KEY, emb F32_BLOB(" + d + "))");
        exec(url, token, "CREATE TABLE docs (id INTEGER PRIMARY KEY, emb F32_BLOB(" + d + "))");
        exec(url, token, "CREATE INDEX docs_idx ON docs (libsql_vector_idx(emb, 'metric=cosine'))");
        double[] insert = insertBoth(url, token, data);
        long[] nanos = new long[queries.length];
        double recallSum = 0;
        for (int q = 0; q < queries.length; q++) {
            Http.Response r = Http.check(http.post(url, token, Http.pipeline(
                    "SELECT id FROM vector_top_k('docs_idx', x'" + hex(queries[q]) + "', " + K + ")", true)), "query");
            nanos[q] = r.nanos();
            recallSum += recall(ids(r.body()), exact[q]);
        }
        double firstMs = nanos[0] / 1e6;
        Arrays.sort(nanos);
        return new Measured(insert, new double[] {Measure.pct(nanos, 50) / 1e6, Measure.pct(nanos, 99) / 1e6}, recallSum / queries.length, firstMs);
    }

    private void exec(String url, String token, String sql) throws IOException, InterruptedException {
        Http.check(http.post(url, token, Http.pipeline(sql, true)), sql);
    }

    /**
     * Inserts every vector into both tables, sizes.batch() rows a request, the tables in turn batch by batch (so
     * warm-up and file growth weigh on both alike); rows per second into {plain, docs}.
     */
    private double[] insertBoth(String url, String token, float[][] data) throws IOException, InterruptedException {
        long[] spent = new long[2];
        String[] tables = {"plain", "docs"};
        for (int start = 0; start < data.length; start += sizes.batch()) {
            int end = Math.min(data.length, start + sizes.batch());
            for (int t = 0; t < 2; t++) {
                StringBuilder sql = new StringBuilder("INSERT INTO ").append(tables[t]).append(" (id, emb) VALUES ");
                for (int i = start; i < end; i++) {
                    if (i > start) sql.append(',');
                    sql.append('(').append(i + 1).append(", x'").append(hex(data[i])).append("')");
                }
                spent[t] += Http.check(http.post(url, token, Http.pipeline(sql.toString(), true)), "insert " + tables[t]).nanos();
            }
        }
        return new double[] {data.length / (spent[0] / 1e9), data.length / (spent[1] / 1e9)};
    }

    private record Peer(double[] latencyMs, double[] insertRowsPerSec, List<int[]> results) {}

    /** Runs bench/vector/libsql-peer.mjs on the same data; null (noted) when node or npm libsql is missing. */
    private Peer peer(Report.Section s, float[][] data, float[][] queries) throws Exception {
        Path script = cfg.benchDir().resolve("vector/libsql-peer.mjs");
        Path work = Files.createDirectories(cfg.work().resolve("vectors"));
        Path in = work.resolve("data.f32");
        try (OutputStream out = new DataOutputStream(Files.newOutputStream(in))) {
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(data.length).putInt(data[0].length).putInt(queries.length).putInt(sizes.batch());
            out.write(header.array());
            for (float[] v : data) out.write(bytes(v));
            for (float[] v : queries) out.write(bytes(v));
        }
        Path log = work.resolve("libsql-peer.log");
        Path dbFile = work.resolve("peer.db");
        Files.deleteIfExists(dbFile);
        Process proc = new ProcessBuilder("node", script.toString(), in.toString(), dbFile.toString())
                .directory(cfg.benchDir().toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int code = proc.waitFor();
        List<String> lines = Files.readAllLines(log);
        if (code != 0) {
            s.notes.add("npm libsql peer not measured: exit " + code + ": " + String.join(" ⏎ ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
            return null;
        }
        double[] latency = new double[2];
        double[] insert = new double[2];
        List<int[]> results = new ArrayList<>();
        for (String line : lines) {
            Matcher m = PEER_LINE.matcher(line);
            if (!m.matches()) continue;
            String[] f = m.group(2).trim().split(" ");
            switch (m.group(1)) {
                case "insert" -> { insert[0] = Double.parseDouble(f[0]); insert[1] = Double.parseDouble(f[1]); }
                case "latency" -> { latency[0] = Double.parseDouble(f[0]); latency[1] = Double.parseDouble(f[1]); }
                case "result" -> results.add(m.group(2).isBlank() ? new int[0] : Arrays.stream(f).mapToInt(Integer::parseInt).toArray());
                default -> { }
            }
        }
        if (results.size() != queries.length) throw new IOException("npm libsql peer returned " + results.size() + " results for " + queries.length + " queries");
        return new Peer(latency, insert, results);
    }

    // ---------------------------------------------------------------- data

    static float[][] clustered(int n, int d, Random r) {
        int clusters = 100;
        float[][] centers = new float[clusters][d];
        for (float[] c : centers) for (int j = 0; j < d; j++) c[j] = (float) r.nextGaussian();
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            float[] c = centers[r.nextInt(clusters)];
            for (int j = 0; j < d; j++) out[i][j] = c[j] + 0.5f * (float) r.nextGaussian();
        }
        return out;
    }

    static float[][] nearby(float[][] data, int q, Random r) {
        float[][] out = new float[q][];
        for (int i = 0; i < q; i++) {
            float[] base = data[r.nextInt(data.length)];
            out[i] = new float[base.length];
            for (int j = 0; j < base.length; j++) out[i][j] = base[j] + 0.3f * (float) r.nextGaussian();
        }
        return out;
    }

    /** The exact top K ids (1-based rowids) by cosine distance, ties by id. */
    static int[][] exactTopK(float[][] data, float[][] queries) {
        double[] norms = new double[data.length];
        for (int i = 0; i < data.length; i++) norms[i] = Math.sqrt(dot(data[i], data[i]));
        int[][] out = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) {
            double qn = Math.sqrt(dot(queries[q], queries[q]));
            Integer[] idx = new Integer[data.length];
            double[] dist = new double[data.length];
            for (int i = 0; i < data.length; i++) {
                idx[i] = i;
                dist[i] = 1 - dot(data[i], queries[q]) / (norms[i] * qn);
            }
            Arrays.sort(idx, (a, b) -> dist[a] != dist[b] ? Double.compare(dist[a], dist[b]) : Integer.compare(a, b));
            out[q] = new int[Math.min(K, data.length)];
            for (int k = 0; k < out[q].length; k++) out[q][k] = idx[k] + 1;
        }
        return out;
    }

    static double recall(int[] got, int[] exact) {
        Set<Integer> truth = new HashSet<>();
        for (int e : exact) truth.add(e);
        int hit = 0;
        for (int g : got) if (truth.contains(g)) hit++;
        return exact.length == 0 ? 1 : (double) hit / exact.length;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    static int[] ids(String hranaBody) {
        List<Integer> out = new ArrayList<>();
        Matcher m = ID.matcher(hranaBody);
        while (m.find()) out.add(Integer.parseInt(m.group(1)));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    static String hex(float[] v) {
        byte[] b = bytes(v);
        char[] c = new char[b.length * 2];
        for (int i = 0; i < b.length; i++) {
            c[2 * i] = HEX[(b[i] >> 4) & 15];
            c[2 * i + 1] = HEX[b[i] & 15];
        }
        return new String(c);
    }
}
