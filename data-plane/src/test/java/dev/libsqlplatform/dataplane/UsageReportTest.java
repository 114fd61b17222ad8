package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.libsqlplatform.contract.internalapi.ContractJson;
import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Usage counting and reporting: a tiny JDK HttpServer stands in for the control plane; heartbeats are
 * triggered directly so every report is deterministic. Like the control plane, the stand-in binds each heartbeat
 * to the contract's {@link WorkerHeartbeat}, strictly: a body that is not one is answered 400 and fails the test.
 */
class UsageReportTest {
    @TempDir
    Path dir;
    HttpServer controlPlane;
    Worker w;
    final BlockingQueue<JsonNode> heartbeats = new LinkedBlockingQueue<>();
    final ConcurrentLinkedQueue<Integer> nextStatuses = new ConcurrentLinkedQueue<>();
    /** Heartbeat bodies that were not the contract's, with the reason. */
    final ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();

    void startControlPlane() throws IOException {
        controlPlane = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        controlPlane.createContext("/internal/v1/workers/heartbeat", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                JsonNode body = Worker.JSON.readTree(text);
                Integer status = nextStatuses.poll();
                int code = !("Bearer " + Worker.SECRET).equals(auth) ? 401 : status == null ? 200 : status;
                try {
                    WorkerHeartbeat beat = ContractJson.parseStrictly(text, WorkerHeartbeat.class);
                    if (beat.id() == null || beat.url() == null) {
                        throw new IllegalArgumentException("a heartbeat needs id and url");
                    }
                } catch (IllegalArgumentException e) {
                    refused.add(e.getMessage() + ": " + text);
                    code = 400;
                }
                heartbeats.add(body);
                byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(code, answer.length);
                ex.getResponseBody().write(answer);
            } finally {
                ex.close();
            }
        });
        controlPlane.start();
    }

    @AfterEach
    void stop() {
        if (w != null) {
            w.close();
        }
        if (controlPlane != null) {
            controlPlane.stop(0);
        }
    }

    /** Triggers one heartbeat now (the scheduled ones are an hour apart) and returns its body. */
    JsonNode beat() throws Exception {
        Object sender = w.ctx.getBean("heartbeatSender");
        Method m = sender.getClass().getDeclaredMethod("beat");
        m.setAccessible(true);
        m.invoke(sender);
        JsonNode body = heartbeats.poll(10, TimeUnit.SECONDS);
        assertThat(body).as("a heartbeat reached the control plane").isNotNull();
        assertThat(refused).as("heartbeats that are not the contract's").isEmpty();
        return body;
    }

    static JsonNode entry(JsonNode heartbeat, String dbId) {
        for (JsonNode e : heartbeat.get("usage")) {
            if (e.get("databaseId").asString().equals(dbId)) {
                return e;
            }
        }
        return null;
    }

    @Test
    void reportsDeltasAndResendsTheSameReportAfterAFailure() throws Exception {
        startControlPlane();
        w = new Worker(dir, "platform.worker.control-plane-url=http://127.0.0.1:" + controlPlane.getAddress().getPort(),
                "platform.worker.heartbeat-interval=1h");
        JsonNode first = heartbeats.poll(20, TimeUnit.SECONDS); // the heartbeat at start
        assertThat(first).isNotNull();
        assertThat(first.has("reportId")).isFalse(); // nothing to report yet

        String a = w.createDatabase("alpha", "acme");
        String b = w.createDatabase("beta", "acme");
        String ta = w.token(a);
        assertThat(w.exec(ta, "CREATE TABLE t (v)").has("cols")).isTrue();               // 1 read, 0 written
        assertThat(w.exec(ta, "INSERT INTO t VALUES (1), (2), (3)").get("affected_row_count").asLong()).isEqualTo(3);
        assertThat(w.exec(ta, "SELECT * FROM t").get("rows")).hasSize(3);                 // 3 read
        // a transaction rolled back: its writes still count (1 read each statement, 1 written)
        JsonNode txn = w.pipeline(ta, "{\"baton\":null,\"requests\":[" + Worker.stmtReq("BEGIN") + ","
                + Worker.stmtReq("INSERT INTO t VALUES (4)") + "," + Worker.stmtReq("ROLLBACK") + ",{\"type\":\"close\"}]}");
        assertThat(txn.get("results").get(2).get("type").asString()).isEqualTo("ok");
        assertThat(w.exec(w.token(b), "SELECT 1").get("rows")).hasSize(1);
        // refused statements (read-only token writing) do not count
        assertThat(w.exec(w.roToken(a), "DELETE FROM t").get("code").asString()).isEqualTo("PERMISSION_DENIED");

        JsonNode r1 = beat();
        String id1 = r1.get("reportId").asString();
        assertThat(id1).isNotBlank();
        assertThat(r1.get("id").asString()).isNotBlank();
        assertThat(r1.get("databases").asInt()).isEqualTo(2);
        JsonNode ua = entry(r1, a);
        // CREATE 1 + INSERT 1 + SELECT 3 + BEGIN 1 + INSERT 1 + ROLLBACK 1
        assertThat(ua.get("rowsRead").asLong()).isEqualTo(8);
        assertThat(ua.get("rowsWritten").asLong()).isEqualTo(4);
        assertThat(ua.get("bytesSynced").asLong()).isZero();
        // storage as Turso counts it: pages of tables and indexes (sqlite_schema and t), not the file sizes
        assertThat(ua.get("storageBytes").asLong()).isEqualTo(2 * 4096);
        JsonNode queries = ua.get("queries");
        assertThat(queries.size()).isEqualTo(6);
        assertThat(queries.get(0).get("query").asString()).isEqualTo("SELECT * FROM t");
        assertThat(queries.get(0).get("rowsRead").asLong()).isEqualTo(3);
        assertThat(queries.get(0).get("count").asLong()).isEqualTo(1);
        JsonNode insert = null;
        for (JsonNode q : queries) {
            if (q.get("query").asString().equals("INSERT INTO t VALUES (1), (2), (3)")) {
                insert = q;
            }
        }
        assertThat(insert).isNotNull();
        assertThat(insert.get("rowsWritten").asLong()).isEqualTo(3);
        JsonNode ub = entry(r1, b);
        assertThat(ub.get("rowsRead").asLong()).isEqualTo(1);
        assertThat(ub.get("rowsWritten").asLong()).isZero();

        // the control plane fails: the same report (same id, same numbers) comes again; new work waits
        w.exec(ta, "SELECT * FROM t");
        nextStatuses.add(500);
        JsonNode r2 = beat();
        String id2 = r2.get("reportId").asString();
        assertThat(id2).isNotEqualTo(id1);
        assertThat(entry(r2, a).get("rowsRead").asLong()).isEqualTo(3);
        assertThat(entry(r2, b)).isNull();
        w.exec(ta, "INSERT INTO t VALUES (9)");
        JsonNode r2again = beat();
        assertThat(r2again.get("reportId").asString()).isEqualTo(id2);
        assertThat(r2again.get("usage")).isEqualTo(r2.get("usage"));

        // acknowledged: the next report carries only what happened meanwhile
        JsonNode r3 = beat();
        assertThat(r3.get("reportId").asString()).isNotIn(id1, id2);
        assertThat(entry(r3, a).get("rowsRead").asLong()).isEqualTo(1);
        assertThat(entry(r3, a).get("rowsWritten").asLong()).isEqualTo(1);
        assertThat(r3.get("usage").size()).isEqualTo(1);

        JsonNode r4 = beat();
        assertThat(r4.has("reportId")).isFalse();
        assertThat(r4.has("usage")).isFalse();

        // Micrometer counters, without a per-database tag
        HttpResponse<String> prom = w.send("GET", "/actuator/prometheus", null, null, null);
        assertThat(prom.statusCode()).isEqualTo(200);
        assertThat(metric(prom.body(), "worker_rows_read_total")).isEqualTo(8 + 1 + 3 + 1);
        assertThat(metric(prom.body(), "worker_rows_written_total")).isEqualTo(4 + 1);
    }

    static JsonNode replication(JsonNode heartbeat, String dbId) {
        if (!heartbeat.has("replication")) {
            return null;
        }
        for (JsonNode e : heartbeat.get("replication")) {
            if (e.get("databaseId").asString().equals(dbId)) {
                return e;
            }
        }
        return null;
    }

    /** One gRPC-web call of the replication protocol, as an embedded replica makes it; the answer is not needed. */
    void replicate(String method, String token, byte[] message) throws Exception {
        byte[] body = java.nio.ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length)
                .put(message).array();
        HttpResponse<byte[]> r = w.http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(w.url("/wal_log.ReplicationLog/" + method)))
                .header("content-type", "application/grpc-web").header("x-authorization", "Bearer " + token)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    /** A LogOffset message: field 1, the next frame number wanted, as a varint. */
    static byte[] logOffset(long next) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x08);
        for (long v = next; ; v >>>= 7) {
            if ((v & ~0x7FL) == 0) {
                out.write((int) v);
                return out.toByteArray();
            }
            out.write((int) ((v & 0x7F) | 0x80));
        }
    }

    @Test
    void heartbeatsCarryChangedReplicationStateUntilAcknowledged() throws Exception {
        startControlPlane();
        w = new Worker(dir, "platform.worker.control-plane-url=http://127.0.0.1:" + controlPlane.getAddress().getPort(),
                "platform.worker.heartbeat-interval=1h");
        assertThat(heartbeats.poll(20, TimeUnit.SECONDS)).isNotNull();
        String a = w.createDatabase("replicated", "acme");
        String t = w.token(a);
        w.exec(t, "CREATE TABLE t (v)");

        JsonNode first = replication(beat(), a);
        assertThat(first).as("a written database reports its log").isNotNull();
        long index = first.get("replicationIndex").asLong();
        assertThat(index).isPositive();
        assertThat(first.get("logId").asString()).isNotBlank();
        assertThat(first.get("lastCommitAt").asLong()).isPositive();
        assertThat(first.get("replicas")).isEmpty();
        assertThat(beat().has("replication")).as("acknowledged and unchanged: left out").isFalse();

        // a replica says hello and pulls up to the primary's index
        replicate("Hello", t, new byte[] {0x08, 0x01});
        replicate("BatchLogEntries", t, logOffset(index + 1));
        JsonNode synced = replication(beat(), a);
        assertThat(synced.get("replicationIndex").asLong()).isEqualTo(index);
        JsonNode replica = synced.get("replicas").get(0);
        assertThat(replica.get("replica").asString()).isNotBlank();
        assertThat(replica.get("lastSyncAt").asLong()).isPositive();
        assertThat(replica.get("frameNo").asLong()).isEqualTo(index);
        assertThat(replica.get("framesBehind").asLong()).isZero();

        // a commit the control plane did not acknowledge is sent again
        w.exec(t, "INSERT INTO t VALUES (1)");
        nextStatuses.add(503);
        JsonNode failed = replication(beat(), a);
        assertThat(failed.get("replicationIndex").asLong()).isGreaterThan(index);
        assertThat(replication(beat(), a)).isEqualTo(failed);
        assertThat(beat().has("replication")).isFalse();
    }

    @Test
    void anUnreachableControlPlaneLosesNothing() throws Exception {
        startControlPlane();
        w = new Worker(dir, "platform.worker.control-plane-url=http://127.0.0.1:" + controlPlane.getAddress().getPort(),
                "platform.worker.heartbeat-interval=1h");
        assertThat(heartbeats.poll(20, TimeUnit.SECONDS)).isNotNull();
        String a = w.createDatabase("gamma", "acme");
        String t = w.token(a);
        w.exec(t, "CREATE TABLE t (v)");
        long readSum = 0;
        long writtenSum = 0;
        String lastFailedId = null;
        // alternate failures and successes with work in between; sum the acknowledged reports
        for (int round = 0; round < 6; round++) {
            w.exec(t, "INSERT INTO t VALUES (" + round + ")");
            boolean fail = round % 2 == 0;
            if (fail) {
                nextStatuses.add(503);
            }
            JsonNode hb = beat();
            if (hb.has("reportId")) {
                if (!fail) {
                    JsonNode e = entry(hb, a);
                    readSum += e.get("rowsRead").asLong();
                    writtenSum += e.get("rowsWritten").asLong();
                    if (lastFailedId != null) {
                        assertThat(hb.get("reportId").asString()).isEqualTo(lastFailedId);
                    }
                    lastFailedId = null;
                } else {
                    lastFailedId = hb.get("reportId").asString();
                }
            }
        }
        JsonNode tail = beat(); // whatever is left
        if (tail.has("reportId")) {
            readSum += entry(tail, a).get("rowsRead").asLong();
            writtenSum += entry(tail, a).get("rowsWritten").asLong();
        }
        assertThat(readSum).isEqualTo(1 + 6);
        assertThat(writtenSum).isEqualTo(6);
    }

    static double metric(String prometheus, String name) {
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                assertThat(line).doesNotContain("database");
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " not found");
    }

    @Test
    void oldMetaJsonWithoutScopesOrGroupStillLoads() throws Exception {
        var kp = Worker.newKeyPair();
        String id = "old-db";
        Path dbDir = dir.resolve("dbs").resolve(id);
        Files.createDirectories(dbDir);
        Files.writeString(dbDir.resolve("meta.json"), "{\"id\":\"" + id + "\",\"name\":\"old\",\"organization\":\"acme\","
                + "\"maxBytes\":0,\"keys\":[{\"kid\":\"k1\",\"publicKey\":\"" + Worker.rawPublicKey(kp) + "\"}],"
                + "\"revokedTokenIds\":[],\"blockReads\":false,\"blockWrites\":false}");
        w = new Worker(dir);
        w.keys.put(id, kp);
        assertThat(w.exec(w.token(id), "SELECT 1").get("rows")).hasSize(1);
        HttpResponse<String> list = w.send("GET", "/internal/v1/databases", null, "Bearer " + Worker.SECRET, null);
        assertThat(list.body()).contains(id);
        assertThat(List.of(w.exec(w.roToken(id), "CREATE TABLE x (a)").get("code").asString())).containsExactly("PERMISSION_DENIED");
    }
}
