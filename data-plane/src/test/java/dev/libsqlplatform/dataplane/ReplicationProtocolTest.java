package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqld's ReplicationLog and Proxy over gRPC-web at the byte level: what a replica is answered, and that hostile or
 * broken requests get a typed gRPC status (never an HTTP 500, never a silent empty answer).
 */
class ReplicationProtocolTest {
    @TempDir
    static Path dir;
    static Worker w;
    static String db;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        w = new Worker(dir, "platform.worker.replication.max-batch-frames=5");
        db = w.createDatabase("repl", "acme");
        token = w.token(db);
        w.exec(token, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        w.exec(token, "INSERT INTO t (v) VALUES ('a')");
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    /** A parsed gRPC-web answer: the data frames and the trailer's status and message. */
    record Answer(int http, List<byte[]> messages, int status, String message) {
    }

    static Answer call(String path, String token, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(w.url(path)))
                .header("content-type", "application/grpc-web")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("x-authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> r = w.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        ByteBuffer in = ByteBuffer.wrap(r.body());
        List<byte[]> messages = new ArrayList<>();
        int status = -1;
        String message = null;
        while (in.remaining() >= 5) {
            int flag = in.get() & 0xff;
            byte[] payload = new byte[in.getInt()];
            in.get(payload);
            if (flag == 0) {
                messages.add(payload);
            } else {
                for (String line : new String(payload, StandardCharsets.US_ASCII).split("\r\n")) {
                    if (line.startsWith("grpc-status:")) {
                        status = Integer.parseInt(line.substring(12));
                    } else if (line.startsWith("grpc-message:")) {
                        message = URLDecoder.decode(line.substring(13).replace("+", "%2B"), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        assertThat(in.remaining()).as("no trailing bytes").isZero();
        return new Answer(r.statusCode(), messages, status, message);
    }

    static byte[] frame(byte[] msg) {
        return ByteBuffer.allocate(5 + msg.length).put((byte) 0).putInt(msg.length).put(msg).array();
    }

    static byte[] logOffset(long offset, Integer flavor) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        if (offset != 0) {
            out.writeUInt64(1, offset);
        }
        if (flavor != null) {
            out.writeEnum(2, flavor);
        }
        out.flush();
        return frame(bytes.toByteArray());
    }

    static final byte[] HELLO = frame(new byte[] {0x08, 0x01});

    /** (log id, current_replication_index) of a Hello answer. */
    static Object[] hello(String token) throws Exception {
        Answer a = call("/wal_log.ReplicationLog/Hello", token, HELLO);
        assertThat(a.http()).isEqualTo(200);
        assertThat(a.status()).as(String.valueOf(a.message())).isZero();
        CodedInputStream in = CodedInputStream.newInstance(a.messages().get(0));
        String logId = null;
        Long index = null;
        String session = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 3 -> logId = in.readString();
                case 4 -> session = in.readBytes().toStringUtf8();
                case 5 -> index = in.readUInt64();
                default -> in.skipField(tag);
            }
        }
        UUID.fromString(logId);
        UUID.fromString(session);
        return new Object[] {logId, index};
    }

    /** Snapshot answers stream one {@code Frame} per message. */
    static List<byte[]> snapshotFrames(Answer a) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (byte[] m : a.messages()) {
            CodedInputStream f = CodedInputStream.newInstance(m);
            for (int t; (t = f.readTag()) != 0; ) {
                if (t >>> 3 == 1) {
                    out.add(f.readByteArray());
                } else {
                    f.skipField(t);
                }
            }
        }
        return out;
    }

    static List<byte[]> frames(Answer a) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (byte[] m : a.messages()) {
            CodedInputStream in = CodedInputStream.newInstance(m);
            for (int tag; (tag = in.readTag()) != 0; ) {
                byte[] frameMsg = in.readByteArray();
                CodedInputStream f = CodedInputStream.newInstance(frameMsg);
                for (int t; (t = f.readTag()) != 0; ) {
                    if (t >>> 3 == 1) {
                        out.add(f.readByteArray());
                    } else {
                        f.skipField(t);
                    }
                }
            }
        }
        return out;
    }

    static long frameNo(byte[] f) {
        return ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    static int sizeAfter(byte[] f) {
        return ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getInt(20);
    }

    @Test
    void infoProbeNeverAnswers2xx() throws Exception {
        assertThat(w.send("GET", "/info", null, "Bearer " + token, null).statusCode()).isEqualTo(404);
        assertThat(w.send("GET", "/info", null, "Bearer " + token + "x", null).statusCode()).isEqualTo(401);
        assertThat(w.send("GET", "/info", null, null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void snapshotThenBatchesReachExactlyTheAnnouncedIndex() throws Exception {
        Object[] h = hello(token);
        long index = (Long) h[1];
        assertThat(index).isPositive();

        Answer first = call("/wal_log.ReplicationLog/BatchLogEntries", token, logOffset(0, null));
        assertThat(first.status()).isEqualTo(9);
        assertThat(first.message()).isEqualTo("NEED_SNAPSHOT");

        Answer snap = call("/wal_log.ReplicationLog/Snapshot", token, logOffset(0, null));
        assertThat(snap.status()).isZero();
        List<byte[]> pages = snapshotFrames(snap);
        assertThat(pages).isNotEmpty().allSatisfy(f -> assertThat(f).hasSize(4120));
        long base = frameNo(pages.get(0));
        assertThat(pages).allSatisfy(f -> assertThat(frameNo(f)).isEqualTo(base));
        for (int i = 0; i < pages.size() - 1; i++) {
            assertThat(sizeAfter(pages.get(i))).isZero();
        }
        assertThat(sizeAfter(pages.get(pages.size() - 1))).isEqualTo(pages.size());

        long next = base + 1;
        long lastCommit = base;
        while (true) {
            Answer a = call("/wal_log.ReplicationLog/BatchLogEntries", token, logOffset(next, null));
            assertThat(a.status()).as(String.valueOf(a.message())).isZero();
            List<byte[]> fs = frames(a);
            if (fs.isEmpty()) {
                break;
            }
            assertThat(fs.size()).isLessThanOrEqualTo(5);
            for (byte[] f : fs) {
                assertThat(frameNo(f)).isEqualTo(next++);
                if (sizeAfter(f) != 0) {
                    lastCommit = frameNo(f);
                }
            }
        }
        assertThat(lastCommit).as("the announced index is a commit that was delivered").isEqualTo(index);
    }

    @Test
    void aReplicaAheadOfTheLogGetsATypedErrorNotAnEmptyBatch() throws Exception {
        long index = (Long) hello(token)[1];
        Answer caughtUp = call("/wal_log.ReplicationLog/BatchLogEntries", token, logOffset(index + 1, null));
        assertThat(caughtUp.status()).isZero();
        assertThat(frames(caughtUp)).isEmpty();
        Answer ahead = call("/wal_log.ReplicationLog/BatchLogEntries", token, logOffset(index + 50, null));
        assertThat(ahead.status()).isEqualTo(9);
        assertThat(ahead.message()).startsWith("REPLICA_AHEAD: ");
    }

    @Test
    void hostileRequestsGetTypedStatuses() throws Exception {
        String batch = "/wal_log.ReplicationLog/BatchLogEntries";
        assertThat(call(batch, token, new byte[0]).status()).isEqualTo(3);
        assertThat(call(batch, token, new byte[] {0, 0, 0, 0, 9, 1}).status()).isEqualTo(3); // length mismatch
        assertThat(call(batch, token, new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}).status())
                .isEqualTo(3);
        assertThat(call(batch, token, new byte[] {1, 0, 0, 0, 0}).status()).isEqualTo(12); // compressed
        assertThat(call(batch, token, new byte[] {(byte) 0x80, 0, 0, 0, 0}).status()).isEqualTo(3);
        assertThat(call(batch, token, frame(new byte[] {0x08, (byte) 0xff})).status()).isEqualTo(3); // cut varint
        assertThat(call(batch, token, logOffset(1, 1)).status()).isEqualTo(3); // libsql WAL flavor
        assertThat(call("/wal_log.ReplicationLog/LogEntries", token, logOffset(1, null)).status()).isEqualTo(12);
        assertThat(call("/proxy.Proxy/StreamExec", token, HELLO).status()).isEqualTo(12);
        // malformed programs: garbage, a condition on a later step
        assertThat(call("/proxy.Proxy/Execute", token, frame(new byte[] {0x12, 0x05, 0x0a, 0x03, 0x12, 0x01})).status())
                .isEqualTo(3);
        Answer badCond = call("/proxy.Proxy/Execute", token, program("c1", "SELECT 1", 5));
        assertThat(badCond.status()).isEqualTo(3);
        // every one of these was a clean answer: HTTP 200 with a trailer
        assertThat(call(batch, token, new byte[] {7}).http()).isEqualTo(200);
    }

    @Test
    void tokensOfOtherDatabasesRevokedTokensAndDeletedDatabases() throws Exception {
        String other = w.createDatabase("other", "acme");
        Answer bad = call("/wal_log.ReplicationLog/Hello", token + "x", HELLO);
        assertThat(bad.status()).isEqualTo(16);
        assertThat(call("/wal_log.ReplicationLog/BatchLogEntries", null, logOffset(1, null)).status()).isEqualTo(16);

        // the other database's token reads the other database only
        Object[] mine = hello(token);
        Object[] theirs = hello(w.token(other));
        assertThat(theirs[0]).isNotEqualTo(mine[0]);

        String jti = UUID.randomUUID().toString();
        String revokedDb = w.createDatabase(UUID.randomUUID().toString(), "rev", "acme", 0, List.of());
        String revokedToken = Worker.token(w.keys.get(revokedDb).getPrivate(), revokedDb, "rw", null, jti);
        hello(revokedToken);
        w.createDatabase(revokedDb, "rev", "acme", 0, List.of(jti));
        Answer revoked = call("/wal_log.ReplicationLog/BatchLogEntries", revokedToken, logOffset(1, null));
        assertThat(revoked.status()).isEqualTo(16);
        assertThat(revoked.message()).contains("revoked");

        String gone = w.createDatabase("gone", "acme");
        String goneToken = w.token(gone);
        hello(goneToken);
        assertThat(w.send("DELETE", "/internal/v1/databases/" + gone, null, "Bearer " + Worker.SECRET, null)
                .statusCode()).isEqualTo(200);
        for (String method : List.of("Hello", "BatchLogEntries", "Snapshot")) {
            Answer a = call("/wal_log.ReplicationLog/" + method, goneToken, method.equals("Hello") ? HELLO
                    : logOffset(1, null));
            assertThat(a.status()).as(method).isEqualTo(9);
            assertThat(a.message()).isEqualTo("NAMESPACE_DOESNT_EXIST");
        }
    }

    @Test
    void aForwardedWriteIsInTheLogBeforeItsAnswer() throws Exception {
        long before = (Long) hello(token)[1];
        Answer a = call("/proxy.Proxy/Execute", token, program("c2", "INSERT INTO t (v) VALUES ('proxied')", -1));
        assertThat(a.status()).as(String.valueOf(a.message())).isZero();
        CodedInputStream in = CodedInputStream.newInstance(a.messages().get(0));
        long currentFrameNo = -1;
        int results = 0;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> {
                    in.readByteArray();
                    results++;
                }
                case 3 -> currentFrameNo = in.readUInt64();
                default -> in.skipField(tag);
            }
        }
        assertThat(results).isEqualTo(1);
        assertThat(currentFrameNo).isGreaterThan(before);
        assertThat((Long) hello(token)[1]).isGreaterThanOrEqualTo(currentFrameNo);
        // a read-only token's forwarded write fails in its step, nothing is written
        Answer ro = call("/proxy.Proxy/Execute", w.roToken(db), program("c3", "DELETE FROM t", -1));
        assertThat(ro.status()).isZero();
        assertThat(new String(ro.messages().get(0), StandardCharsets.UTF_8)).containsIgnoringCase("read");
        assertThat(w.exec(token, "SELECT count(*) FROM t WHERE v = 'proxied'").get("rows").get(0).get(0)
                .get("value").asString()).isEqualTo("1");
    }

    @Test
    void theInternalApiShowsTheIndexAndEachReplicasLastSyncAndLag() throws Exception {
        String fresh = w.createDatabase("status", "acme");
        String t = w.token(fresh);
        w.exec(t, "CREATE TABLE s (v)");
        long index = (Long) hello(t)[1];
        call("/wal_log.ReplicationLog/BatchLogEntries", t, logOffset(index + 1, null));
        w.exec(t, "INSERT INTO s VALUES (1)");
        HttpResponse<String> r = w.send("GET", "/internal/v1/databases/" + fresh + "/replication", null,
                "Bearer " + Worker.SECRET, null);
        assertThat(r.statusCode()).isEqualTo(200);
        var json = Worker.JSON.readTree(r.body());
        assertThat(json.get("replicationIndex").asLong()).isGreaterThan(index);
        assertThat(json.get("logId").asString()).isEqualTo(hello(t)[0]);
        var replica = json.get("replicas").get(0);
        assertThat(replica.get("frameNo").asLong()).isEqualTo(index);
        assertThat(replica.get("lastSyncMillis").asLong()).isPositive();
        assertThat(w.send("GET", "/internal/v1/databases/" + fresh + "/replication", null, null, null).statusCode())
                .isEqualTo(401);
        assertThat(w.send("GET", "/internal/v1/databases/nope/replication", null, "Bearer " + Worker.SECRET, null)
                .statusCode()).isEqualTo(404);
        assertThat(w.send("GET", "/actuator/prometheus", null, null, null).body())
                .contains("worker_replication_bytes_synced_total", "worker_replication_max_frames_behind");
    }

    /** A ProgramReq with one step; {@code okStep >= 0} adds an OkCond on that step. */
    static byte[] program(String clientId, String sql, int okStep) throws Exception {
        ByteArrayOutputStream query = new ByteArrayOutputStream();
        CodedOutputStream q = CodedOutputStream.newInstance(query);
        q.writeString(1, sql);
        q.flush();
        ByteArrayOutputStream step = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(step);
        if (okStep >= 0) {
            ByteArrayOutputStream ok = new ByteArrayOutputStream();
            CodedOutputStream o = CodedOutputStream.newInstance(ok);
            o.writeInt64(1, okStep);
            o.flush();
            ByteArrayOutputStream cond = new ByteArrayOutputStream();
            CodedOutputStream c = CodedOutputStream.newInstance(cond);
            c.writeByteArray(1, ok.toByteArray());
            c.flush();
            s.writeByteArray(1, cond.toByteArray());
        }
        s.writeByteArray(2, query.toByteArray());
        s.flush();
        ByteArrayOutputStream pgm = new ByteArrayOutputStream();
        CodedOutputStream p = CodedOutputStream.newInstance(pgm);
        p.writeByteArray(1, step.toByteArray());
        p.flush();
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        CodedOutputStream r = CodedOutputStream.newInstance(req);
        r.writeString(1, clientId);
        r.writeByteArray(2, pgm.toByteArray());
        r.flush();
        return frame(req.toByteArray());
    }
}
