package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * kill -9 of the worker during a burst of acknowledged writes, {@code e2e.crashCycles} times (default 20; e.g.
 * {@code -De2e.crashCycles=3} for a quick run). After each restart: {@code PRAGMA integrity_check} is ok, every
 * acknowledged write is in the database AND in the frame log (a replica rebuilt from the log holds it), the log id
 * did not change, and a replica that synced during the burst held a consistent prefix (its own integrity check ok,
 * its rows a subset of the final ones). The worker checkpoints every 100 frames and compacts its log every 600, so the
 * kills also hit those.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationCrashIT {
    private static final int WRITERS = 4;
    private Platform platform;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    void start() throws Exception {
        platform = new Platform("crash", null);
        // small thresholds, so crashes also land in checkpoints and in compactions of the log into a new snapshot
        platform.workerEnv.put("PLATFORM_WORKER_REPLICATION_CHECKPOINT_FRAMES", "100");
        platform.workerEnv.put("PLATFORM_WORKER_REPLICATION_MAX_LOG_FRAMES", "600");
        platform.startOrShowLogs();
    }

    @AfterAll
    void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void killDashNineDuringWritesLosesNothingAcknowledged() throws Exception {
        int cycles = Integer.getInteger("e2e.crashCycles", 20);
        String token = createDatabase("crash-" + System.nanoTime());
        sql(token, "CREATE TABLE acked (id INTEGER PRIMARY KEY, payload BLOB)");
        Set<Long> acknowledged = new ConcurrentSkipListSet<>();
        AtomicLong ids = new AtomicLong();
        Path dir = platform.root();
        FrameLogReplica steady = new FrameLogReplica(platform.workerUrl(), token, dir.resolve("steady-replica.db"));
        steady.sync();
        for (int cycle = 1; cycle <= cycles; cycle++) {
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<?>> writers = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                final boolean batched = i % 2 == 1;
                writers.add(pool.submit(() -> {
                    while (!stop.get()) {
                        long a = ids.incrementAndGet();
                        long b = batched ? ids.incrementAndGet() : -1;
                        try {
                            if (batched) {
                                sql(token, "BEGIN", "INSERT INTO acked VALUES (" + a + ", randomblob(700))",
                                        "INSERT INTO acked VALUES (" + b + ", randomblob(5000))", "COMMIT");
                                acknowledged.add(b);
                            } else {
                                sql(token, "INSERT INTO acked VALUES (" + a + ", randomblob(300))");
                            }
                            acknowledged.add(a);
                        } catch (Exception e) {
                            return null; // the worker is gone: this write was not acknowledged
                        }
                    }
                    return null;
                }));
            }
            // a replica syncs in the middle of the burst, then the worker dies under the writers
            int target = acknowledged.size() + 150;
            assertEquals(null, Waits.until(Duration.ofSeconds(60), Duration.ofMillis(5),
                    () -> acknowledged.size() >= target ? null : acknowledged.size() + " acknowledged"));
            FrameLogReplica midBurst = new FrameLogReplica(platform.workerUrl(), token,
                    dir.resolve("mid-" + cycle + ".db"));
            midBurst.sync();
            int target2 = acknowledged.size() + 100;
            assertEquals(null, Waits.until(Duration.ofSeconds(60), Duration.ofMillis(5),
                    () -> acknowledged.size() >= target2 ? null : acknowledged.size() + " acknowledged"));
            platform.killWorker();
            stop.set(true);
            for (Future<?> f : writers) {
                f.get();
            }
            pool.shutdown();
            Set<Long> ackedBeforeCrash = new TreeSet<>(acknowledged);

            platform.startWorker();
            assertEquals("ok", sql(token, "PRAGMA integrity_check").get(0), "cycle " + cycle);
            Set<Long> present = new TreeSet<>();
            for (String id : sql(token, "SELECT id FROM acked")) {
                present.add(Long.parseLong(id));
            }
            Set<Long> missing = new TreeSet<>(ackedBeforeCrash);
            missing.removeAll(present);
            assertTrue(missing.isEmpty(), "cycle " + cycle + ": acknowledged writes lost: " + missing);

            // the log holds every commit: a replica rebuilt from it (incrementally, across all crashes) equals the
            // database, and the replica of the burst held a consistent prefix of it
            steady.sync();
            assertEquals(present, idsOf(steady.file()), "cycle " + cycle + ": replica rebuilt from the log");
            Set<Long> prefix = idsOf(midBurst.file());
            assertTrue(present.containsAll(prefix), "cycle " + cycle + ": the mid-burst replica has rows the"
                    + " primary does not");
            System.out.println("crash cycle " + cycle + "/" + cycles + ": " + ackedBeforeCrash.size()
                    + " acknowledged, " + present.size() + " present, log at frame " + steady.committed());
        }
    }

    /** Opens a replica file (its own integrity check must pass) and reads its ids. */
    private static Set<Long> idsOf(Path file) throws Exception {
        Set<Long> ids = new TreeSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertEquals("ok", rs.getString(1), file.toString());
            }
            try (ResultSet rs = st.executeQuery("SELECT id FROM acked")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    private String createDatabase(String name) throws Exception {
        HttpResponse<String> created = platform.platformApi("POST", "/v1/organizations/" + Platform.ORG
                + "/databases", "{\"name\":\"" + name + "\",\"group\":\"default\"}");
        assertEquals(200, created.statusCode(), created.body());
        HttpResponse<String> minted = platform.platformApi("POST", "/v1/organizations/" + Platform.ORG
                + "/databases/" + name + "/auth/tokens", null);
        Matcher m = Pattern.compile("\"jwt\"\\s*:\\s*\"([^\"]+)\"").matcher(minted.body());
        assertTrue(m.find(), minted.body());
        String token = m.group(1);
        assertEquals(null, Waits.until(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
            try {
                sql(token, "SELECT 1");
                return null;
            } catch (Exception e) {
                return e.toString();
            }
        }));
        return token;
    }

    /**
     * Runs statements in one Hrana pipeline; returns the first column of the last statement's rows as text. Throws
     * unless the HTTP answer is 200 and every statement succeeded.
     */
    private List<String> sql(String token, String... statements) throws Exception {
        StringBuilder body = new StringBuilder("{\"baton\":null,\"requests\":[");
        for (String s : statements) {
            body.append("{\"type\":\"execute\",\"stmt\":{\"sql\":").append(Http.JSON.writeValueAsString(s))
                    .append("}},");
        }
        body.append("{\"type\":\"close\"}]}");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.workerUrl() + "/v2/pipeline"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        var json = Http.JSON.readTree(r.body());
        List<String> out = new ArrayList<>();
        var results = json.get("results");
        for (int i = 0; i < statements.length; i++) {
            var res = results.get(i);
            if (!"ok".equals(res.get("type").asString())) {
                throw new IllegalStateException(statements[i] + ": " + res);
            }
            if (i == statements.length - 1) {
                for (var row : res.get("response").get("result").get("rows")) {
                    out.add(row.get(0).get("value").asString());
                }
            }
        }
        return out;
    }
}
