package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Moving a database between two real workers through the internal move API, as the control plane's Mover drives it:
 * bulk copy while the source serves, fence, final catch-up and install, delete on the source.
 */
class MoveTest {
    @TempDir
    Path dir;

    private static final String AUTH = "Bearer " + Worker.SECRET;

    private static String importBody(Worker source, Long until) {
        return "{\"source\":\"" + source.url("") + "\"," + (until == null ? "" : "\"until\":" + until + ",")
                + "\"database\":{\"name\":\"shop\",\"organization\":\"acme\",\"maxBytes\":0,\"keys\":[{\"kid\":\"k1\","
                + "\"publicKey\":\"" + Worker.rawPublicKey(source.keys.values().iterator().next()) + "\"}]}}";
    }

    private static long frameNo(HttpResponse<String> r) {
        return Worker.JSON.readTree(r.body()).get("frameNo").asLong();
    }

    @Test
    void everyAcknowledgedWriteMovesAndNothingElse() throws Exception {
        try (Worker source = new Worker(dir.resolve("a"), "platform.worker.busy-timeout=1s");
             Worker target = new Worker(dir.resolve("b"))) {
            String db = source.createDatabase("shop", "acme");
            String token = source.token(db);
            source.exec(token, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            for (int i = 0; i < 200; i++) {
                source.exec(token, "INSERT INTO t VALUES (" + i + ", randomblob(3000))");
            }
            Set<Integer> acknowledged = new ConcurrentSkipListSet<>();
            for (int i = 0; i < 200; i++) {
                acknowledged.add(i);
            }
            // a client writing all along: what it saw acknowledged must all arrive, and nothing else
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger next = new AtomicInteger(1000);
            AtomicInteger refused = new AtomicInteger();
            Thread writer = new Thread(() -> {
                while (!stop.get()) {
                    int id = next.getAndIncrement();
                    try {
                        JsonNode r = source.exec(token, "INSERT INTO t VALUES (" + id + ", 'w')");
                        if (r.has("affected_row_count")) {
                            acknowledged.add(id);
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        refused.incrementAndGet();
                    }
                }
            });
            writer.start();

            HttpResponse<String> bulk = target.send("POST", "/internal/v1/databases/" + db + "/import",
                    importBody(source, null), AUTH, null);
            assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
            assertThat(bulk.body()).contains("\"state\":\"copying\"");
            // staged, not served: the target does not list it yet
            assertThat(target.send("GET", "/internal/v1/databases", null, AUTH, null).body()).doesNotContain(db);
            Thread.sleep(300); // let the writer commit past the bulk copy, so the catch-up has frames to pull

            HttpResponse<String> fence = source.send("POST", "/internal/v1/databases/" + db + "/fence", null, AUTH, null);
            assertThat(fence.statusCode()).as(fence.body()).isEqualTo(200);
            long fenced = frameNo(fence);
            assertThat(fenced).isGreaterThan(frameNo(bulk));
            HttpResponse<String> again = source.send("POST", "/internal/v1/databases/" + db + "/fence", null, AUTH, null);
            assertThat(frameNo(again)).as("fencing is idempotent").isEqualTo(fenced);

            HttpResponse<String> done = target.send("POST", "/internal/v1/databases/" + db + "/import",
                    importBody(source, fenced), AUTH, null);
            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            assertThat(done.body()).contains("\"state\":\"ready\"");
            assertThat(frameNo(done)).isEqualTo(fenced);
            // the same final call again (its answer lost) is confirmed, not copied twice
            HttpResponse<String> repeated = target.send("POST", "/internal/v1/databases/" + db + "/import",
                    importBody(source, fenced), AUTH, null);
            assertThat(repeated.body()).contains("\"state\":\"ready\"");
            assertThat(source.send("DELETE", "/internal/v1/databases/" + db, null, AUTH, null).statusCode()).isEqualTo(200);
            stop.set(true);
            writer.join(10_000);

            target.keys.putAll(source.keys);
            JsonNode rows = target.exec(target.token(db), "SELECT id FROM t ORDER BY id");
            Set<Integer> moved = new TreeSet<>();
            rows.get("rows").forEach(r -> moved.add(Integer.parseInt(r.get(0).get("value").asString())));
            assertThat(moved).as("rows on the target = writes acknowledged by the source").isEqualTo(new TreeSet<>(acknowledged));
            assertThat(acknowledged.size()).isGreaterThan(200);
            assertThat(target.exec(target.token(db), "PRAGMA integrity_check").at("/rows/0/0/value").asString())
                    .isEqualTo("ok");
            // and it takes writes on the target
            assertThat(target.exec(target.token(db), "INSERT INTO t VALUES (-1, 'after')").has("affected_row_count"))
                    .isTrue();
            assertThat(source.send("GET", "/internal/v1/databases", null, AUTH, null).body()).doesNotContain(db);
        }
    }

    @Test
    void aCopyInstalledByAnAbandonedMoveIsNeverConfirmedForALaterFence() throws Exception {
        try (Worker source = new Worker(dir.resolve("a"));
             Worker target = new Worker(dir.resolve("b"))) {
            String db = source.createDatabase("shop", "acme");
            String token = source.token(db);
            source.exec(token, "CREATE TABLE t (v)");
            String path = "/internal/v1/databases/" + db;
            target.send("POST", path + "/import", importBody(source, null), AUTH, null);
            long first = frameNo(source.send("POST", path + "/fence", null, AUTH, null));
            assertThat(target.send("POST", path + "/import", importBody(source, first), AUTH, null).body())
                    .contains("\"state\":\"ready\"");
            // the control plane never saw that answer: it lifts the fence, the source takes a write, the move restarts
            source.send("DELETE", path + "/fence", null, AUTH, null);
            source.exec(token, "INSERT INTO t VALUES ('after the first fence')");
            assertThat(target.send("POST", path + "/import", importBody(source, null), AUTH, null).body())
                    .contains("\"state\":\"copying\"");
            long second = frameNo(source.send("POST", path + "/fence", null, AUTH, null));
            assertThat(second).isGreaterThan(first);
            HttpResponse<String> done = target.send("POST", path + "/import", importBody(source, second), AUTH, null);
            assertThat(done.body()).contains("\"state\":\"ready\"");
            target.keys.putAll(source.keys);
            assertThat(target.exec(target.token(db), "SELECT v FROM t").at("/rows/0/0/value").asString())
                    .isEqualTo("after the first fence");
        }
    }

    @Test
    void aFencedSourceRefusesWritesRetryablyAndResumesWhenUnfenced() throws Exception {
        try (Worker source = new Worker(dir.resolve("a"), "platform.worker.busy-timeout=500ms")) {
            String db = source.createDatabase("shop", "acme");
            String token = source.token(db);
            source.exec(token, "CREATE TABLE t (v)");
            assertThat(source.send("POST", "/internal/v1/databases/" + db + "/fence", null, AUTH, null).statusCode())
                    .isEqualTo(200);
            JsonNode refused = source.exec(token, "INSERT INTO t VALUES (1)");
            assertThat(refused.get("code").asString()).isEqualTo("SQLITE_BUSY");
            assertThat(source.exec(token, "SELECT count(*) FROM t").at("/rows/0/0/value").asString())
                    .as("reads go on while fenced").isEqualTo("0");
            assertThat(source.send("DELETE", "/internal/v1/databases/" + db + "/fence", null, AUTH, null).statusCode())
                    .isEqualTo(200);
            assertThat(source.exec(token, "INSERT INTO t VALUES (1)").get("affected_row_count").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aFenceSurvivesARestartOfTheSourceSoNoWriteIsAcknowledgedBehindTheMove() throws Exception {
        Path folder = dir.resolve("restarted");
        String db;
        String token;
        long fenced;
        try (Worker source = new Worker(folder, "platform.worker.busy-timeout=500ms")) {
            db = source.createDatabase("shop", "acme");
            token = source.token(db);
            source.exec(token, "CREATE TABLE t (v)");
            fenced = frameNo(source.send("POST", "/internal/v1/databases/" + db + "/fence", null, AUTH, null));
        }
        // restarted between the target's final catch-up and the route switch: still fenced, at the same commit
        try (Worker source = new Worker(folder, "platform.worker.busy-timeout=500ms")) {
            assertThat(source.exec(token, "INSERT INTO t VALUES ('behind the move')").get("code").asString())
                    .isEqualTo("SQLITE_BUSY");
            assertThat(frameNo(source.send("POST", "/internal/v1/databases/" + db + "/fence", null, AUTH, null)))
                    .isEqualTo(fenced);
            assertThat(source.send("DELETE", "/internal/v1/databases/" + db + "/fence", null, AUTH, null).statusCode())
                    .isEqualTo(200);
            assertThat(source.exec(token, "INSERT INTO t VALUES (1)").get("affected_row_count").asLong()).isEqualTo(1);
        }
        // unfenced before this restart: it stays unfenced
        try (Worker source = new Worker(folder, "platform.worker.busy-timeout=500ms")) {
            assertThat(source.exec(token, "INSERT INTO t VALUES (2)").get("affected_row_count").asLong()).isEqualTo(1);
            assertThat(source.exec(token, "SELECT count(*) FROM t").at("/rows/0/0/value").asString()).isEqualTo("2");
        }
    }

    @Test
    void aCopyThatDoesNotEndAtTheFencedCommitIsDiscardedNotServed() throws Exception {
        try (Worker source = new Worker(dir.resolve("a"));
             Worker target = new Worker(dir.resolve("b"))) {
            String db = source.createDatabase("shop", "acme");
            String token = source.token(db);
            source.exec(token, "CREATE TABLE t (v)");
            source.exec(token, "INSERT INTO t VALUES (1)");
            // the source was not fenced at frame 1: its log goes further, so a copy "until 1" must fail
            HttpResponse<String> r = target.send("POST", "/internal/v1/databases/" + db + "/import",
                    importBody(source, 1L), AUTH, null);
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.body()).contains("MOVE_FAILED");
            assertThat(target.send("GET", "/internal/v1/databases", null, AUTH, null).body()).doesNotContain(db);
        }
    }

    @Test
    void theMoveRoutesNeedTheServiceSecretAndValidInput() throws Exception {
        try (Worker w = new Worker(dir.resolve("a"))) {
            String db = w.createDatabase("shop", "acme");
            List<String[]> calls = new ArrayList<>(List.of(
                    new String[] {"GET", "/snapshot"}, new String[] {"GET", "/frames?from=1"},
                    new String[] {"POST", "/fence"}, new String[] {"DELETE", "/fence"},
                    new String[] {"POST", "/import"}, new String[] {"DELETE", "/import"}));
            for (String[] c : calls) {
                HttpResponse<String> r = w.send(c[0], "/internal/v1/databases/" + db + c[1], null, "Bearer wrong", null);
                assertThat(r.statusCode()).as(c[0] + " " + c[1]).isEqualTo(401);
            }
            assertThat(w.send("GET", "/internal/v1/databases/" + db + "/frames?from=0", null, AUTH, null).statusCode())
                    .isEqualTo(400);
            assertThat(w.send("GET", "/internal/v1/databases/nope/snapshot", null, AUTH, null).statusCode()).isEqualTo(404);
            assertThat(w.send("POST", "/internal/v1/databases/nope/fence", null, AUTH, null).statusCode()).isEqualTo(404);
            assertThat(w.send("POST", "/internal/v1/databases/" + db + "/import", "{\"source\":\"file:///etc\"}",
                    AUTH, null).statusCode()).isEqualTo(400);
            assertThat(w.send("GET", "/internal/v1/databases/" + db + "/frames?from=1&logId=other", null, AUTH, null)
                    .body()).contains("NEED_SNAPSHOT");
        }
    }
}
