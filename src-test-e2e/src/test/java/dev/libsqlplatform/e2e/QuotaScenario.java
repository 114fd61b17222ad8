package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Quotas across real processes (issue 13): the monthly rows-written quota blocks writes with {@code BLOCKED} on every
 * worker holding one of the organization's databases, and a plan upgrade lifts it there too; usage survives
 * {@code kill -9} of the worker and of the control plane in the middle of reporting, neither lost nor counted twice.
 */
final class QuotaScenario {

    private static final Duration PROPAGATION = Duration.ofSeconds(30);

    private final Platform platform;
    private final ApiFixtures api;
    private final String admin;
    private final String org = "quota-" + Platform.randomSuffix();

    QuotaScenario(Platform platform) {
        this.platform = platform;
        this.api = new ApiFixtures(platform);
        this.admin = platform.adminToken();
    }

    private record Db(String name, String id, String token, String workerUrl) {
    }

    private Http.Answer sql(Db db, String sql) throws Exception {
        ObjectNode body = Http.object();
        body.putNull("baton");
        var requests = body.putArray("requests");
        requests.addObject().put("type", "execute").putObject("stmt").put("sql", sql);
        requests.addObject().put("type", "close");
        return Http.send("POST", db.workerUrl() + "/v2/pipeline", db.token(), null, body.toString());
    }

    /** "ok", or the Hrana error code, or the HTTP failure. */
    private String outcome(Db db, String sql) throws Exception {
        Http.Answer a = sql(db, sql);
        if (a.status() != 200 || a.json() == null) {
            return "HTTP " + a.status() + " " + a.text();
        }
        JsonNode r = a.json().path("results").path(0);
        return "ok".equals(r.path("type").asString()) ? "ok" : r.path("error").path("code").asString();
    }

    private String holder(String dbId) throws Exception {
        for (String url : List.of(platform.workerUrl(), platform.extraWorkerUrl())) {
            try {
                Http.Answer list = Http.send("GET", url + "/internal/v1/databases", platform.serviceSecret(), null,
                        null);
                if (list.status() == 200 && list.text().contains(dbId)) {
                    return url;
                }
            } catch (java.io.IOException notRunning) {
                // the extra worker exists only once the rows-written scenario started it
            }
        }
        return null;
    }

    /** Creates a database, mints a token, waits until its worker serves it; the worker is the one holding it. */
    private Db ready(String name) throws Exception {
        api.createDatabase(admin, org, name);
        String id = api.ok(admin, "GET", "/v1/organizations/" + org + "/databases/" + name, null)
                .at("/database/DbId").asString();
        String token = api.mint(admin, org, name, "", null);
        String[] url = new String[1];
        assertNull(Waits.until(PROPAGATION, Duration.ofMillis(200), () -> {
            url[0] = holder(id);
            return url[0] == null ? "no worker holds " + name : null;
        }));
        Db db = new Db(name, id, token, url[0]);
        assertNull(Waits.until(PROPAGATION, Duration.ofMillis(200), () -> {
            String o = outcome(db, "SELECT 1");
            return o.equals("ok") ? null : o;
        }));
        return db;
    }

    private JsonNode usage(Db db) throws Exception {
        return api.ok(admin, "GET", "/v1/organizations/" + org + "/databases/" + db.name() + "/usage", null)
                .at("/database/usage");
    }

    /** Over the monthly rows-written quota: BLOCKED on every worker; an upgrade lifts it on every worker. */
    void monthlyRowsWrittenQuotaBlocksEveryWorker() throws Exception {
        api.createOrganization(admin, org);
        api.ok(admin, "POST", "/v1/organizations/" + org + "/subscription", Map.of("plan", "tiny")); // 100 rows/month
        // the first database lands on the first worker (the second one does not exist yet) ...
        Db first = ready("rows-a");
        String extra = platform.startExtraWorker();
        // ... the next on the second worker, which has the most free capacity once its first heartbeat registered it
        Db second = null;
        for (int i = 0; i < 5 && second == null; i++) {
            Db candidate = ready("rows-b" + i);
            if (candidate.workerUrl().equals(extra)) {
                second = candidate;
            }
        }
        assertTrue(second != null, "no database was placed on the second worker " + extra);
        Db onSecond = second;
        for (Db db : List.of(first, onSecond)) {
            assertEquals("ok", outcome(db, "CREATE TABLE t (v)"));
        }
        assertEquals("ok", outcome(first, "INSERT INTO t " + values(101)));
        for (Db db : List.of(first, onSecond)) {
            assertNull(Waits.until(PROPAGATION, Duration.ofMillis(200), () -> {
                String o = outcome(db, "INSERT INTO t VALUES (1)");
                return o.equals("BLOCKED") ? null : db.name() + " on " + db.workerUrl() + ": " + o;
            }));
            assertEquals("ok", outcome(db, "SELECT count(*) FROM t"));
        }
        Http.Answer blocked = sql(onSecond, "INSERT INTO t VALUES (1)");
        assertTrue(blocked.text().contains("monthly rows written quota of 100 reached"), blocked.text());
        JsonNode o = api.ok(admin, "GET", "/v1/organizations/" + org, null).get("organization");
        assertTrue(o.get("blocked_writes").asBoolean(), o.toString());

        api.ok(admin, "POST", "/v1/organizations/" + org + "/subscription", Map.of("plan", "starter"));
        for (Db db : List.of(first, onSecond)) {
            assertNull(Waits.until(PROPAGATION, Duration.ofMillis(200), () -> {
                String out = outcome(db, "INSERT INTO t VALUES (2)");
                return out.equals("ok") ? null : db.name() + " on " + db.workerUrl() + ": " + out;
            }));
        }
    }

    private static String values(int n) {
        StringBuilder sb = new StringBuilder("VALUES ");
        for (int i = 1; i <= n; i++) {
            sb.append(i == 1 ? "" : ",").append('(').append(i).append(')');
        }
        return sb.toString();
    }

    /**
     * kill -9 in the middle of reporting, repeated: usage is neither lost nor counted twice.
     * <ol>
     *   <li>The control plane is killed while a workload runs and reports flow; twice. The worker re-sends the
     *       report the dead control plane may or may not have stored; the intake stores a reportId once.</li>
     *   <li>With the control plane down, the worker draws its counters into a report it cannot deliver (spooled on
     *       disk), and is killed; twice. The restarted worker sends that very report.</li>
     * </ol>
     * Expected numbers are computed from what the workload ran: each INSERT writes 10 rows and scans nothing (1 row
     * read); each readiness probe is a SELECT 1 (1 row read).
     */
    void usageSurvivesKillNineOfWorkerAndControlPlane() throws Exception {
        api.createOrganization(admin, org + "-k");
        String korg = org + "-k";
        api.createDatabase(admin, korg, "usage");
        String id = api.ok(admin, "GET", "/v1/organizations/" + korg + "/databases/usage", null)
                .at("/database/DbId").asString();
        String token = api.mint(admin, korg, "usage", "", null);
        long[] reads = {0};
        long[] writes = {0};
        String[] url = new String[1];
        assertNull(Waits.until(PROPAGATION, Duration.ofMillis(200), () -> {
            url[0] = holder(id);
            return url[0] == null ? "no worker holds the database" : null;
        }));
        Db db = new Db("usage", id, token, url[0]);
        assertNull(Waits.until(PROPAGATION, Duration.ofMillis(200), () -> {
            String o = outcome(db, "SELECT 1");
            return o.equals("ok") ? null : o;
        }));
        reads[0]++;
        assertEquals("ok", outcome(db, "CREATE TABLE t (v)"));
        reads[0]++;
        // 1. the control plane dies mid-reporting, twice
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 15; i++) {
                assertEquals("ok", outcome(db, "INSERT INTO t " + values(10)));
                reads[0]++;
                writes[0] += 10;
            }
            platform.killControlPlane();
            for (int i = 0; i < 5; i++) { // the worker keeps serving while its reports fail
                assertEquals("ok", outcome(db, "INSERT INTO t " + values(10)));
                reads[0]++;
                writes[0] += 10;
            }
            platform.startControlPlane();
        }
        // 2. the worker dies holding undelivered reports, twice
        Path spool = platform.workerDataDir(db.workerUrl()).resolve("usage-spool");
        for (int round = 0; round < 2; round++) {
            // everything so far is stored and acknowledged: the spool then holds exactly this round's counts
            long expected = writes[0];
            assertNull(Waits.until(PROPAGATION, Duration.ofMillis(250), () -> {
                long stored = api.ok(admin, "GET", "/v1/organizations/" + korg + "/databases/usage/usage", null)
                        .at("/database/usage/rows_written").asLong();
                return stored == expected && spooledWrites(spool) == 0 ? null
                        : "stored " + stored + " of " + expected + ", spooled " + spooledWrites(spool);
            }));
            platform.killControlPlane();
            for (int i = 0; i < 10; i++) {
                assertEquals("ok", outcome(db, "INSERT INTO t " + values(10)));
                reads[0]++;
                writes[0] += 10;
            }
            // the next heartbeats draw them into a report that cannot be delivered: on disk, fsynced
            assertNull(Waits.until(PROPAGATION, Duration.ofMillis(200), () ->
                    spooledWrites(spool) == 100 ? null : "spooled " + spooledWrites(spool) + " of 100 rows written"));
            platform.killWorker(db.workerUrl());
            platform.startControlPlane();
            platform.startWorker(db.workerUrl());
        }
        assertNull(Waits.until(PROPAGATION, Duration.ofMillis(500), () -> {
            JsonNode u = api.ok(admin, "GET", "/v1/organizations/" + korg + "/databases/usage/usage", null)
                    .at("/database/usage");
            return u.path("rows_written").asLong() == writes[0] && u.path("rows_read").asLong() == reads[0] ? null
                    : "usage " + u + ", expected rows_written " + writes[0] + " rows_read " + reads[0];
        }));
        // and stays there: nothing re-sent is counted again
        JsonNode settled = api.ok(admin, "GET", "/v1/organizations/" + korg + "/databases/usage/usage", null)
                .at("/database/usage");
        assertEquals(writes[0], settled.path("rows_written").asLong());
    }

    /** Rows written in the worker's spooled reports (pending.json and its follow-up next.json). */
    private static long spooledWrites(Path spool) throws java.io.IOException {
        long sum = 0;
        for (String file : List.of("pending.json", "next.json")) {
            Path p = spool.resolve(file);
            if (Files.exists(p)) {
                for (JsonNode u : Http.JSON.readTree(Files.readString(p)).path("usage")) {
                    sum += u.path("rowsWritten").asLong();
                }
            }
        }
        return sum;
    }
}
