package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hrana over WebSocket on the SQL port's event loop ({@code http.FrontSocket}), frame by frame with a raw client:
 * the front answers the handshake itself (Tomcat gets what it does not take), a hello sent in the same packet as the
 * handshake is answered, text split across frames (a character straddling two of them) and pings between them are
 * handled, a close is echoed, and frame-level abuse ends only that connection with the right code.
 */
@Timeout(120)
class FrontSocketTest {
    @TempDir
    static Path dir;
    static Worker w;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        w = new Worker(dir, "platform.worker.websocket.max-message-bytes=64KB");
        db = w.createDatabase("frames", "acme");
        w.exec(w.token(db), "CREATE TABLE t (v TEXT)");
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    private static double counter(String name) {
        return w.ctx.getBean(MeterRegistry.class).counter(name).count();
    }

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[16]);

    private static String handshake(String version, String protocols) {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: " + version + "\r\n"
                + (protocols == null ? "" : "Sec-WebSocket-Protocol: " + protocols + "\r\n") + "\r\n";
    }

    /** A client frame: masked, as RFC 6455 requires of clients. */
    private static byte[] frame(int opcode, boolean fin, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else if (payload.length <= 0xffff) {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        return out.toByteArray();
    }

    private static byte[] text(String s) {
        return frame(0x1, true, s.getBytes(StandardCharsets.UTF_8));
    }

    /** A server frame: opcode and payload. */
    private record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    private static Frame read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int b0 = d.readUnsignedByte();
        int b1 = d.readUnsignedByte();
        assertThat(b1 & 0x80).as("server frames are not masked").isZero();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = d.readUnsignedShort();
        } else if (len == 127) {
            len = d.readLong();
        }
        byte[] p = new byte[(int) len];
        d.readFully(p);
        return new Frame(b0 & 0x0f, p);
    }

    /** The 101's head; the socket is then at the first frame. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    /** A socket past the handshake (hrana3) and an accepted hello. */
    private static Socket helloed() throws IOException {
        return helloed(w, w.token(db));
    }

    /** A socket to {@code worker} past the handshake (hrana3) and an accepted hello with {@code token}. */
    private static Socket helloed(Worker worker, String token) throws IOException {
        Socket s = open(worker);
        s.getOutputStream().write(handshake("13", "hrana3").getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 101");
        s.getOutputStream().write(text("{\"type\":\"hello\",\"jwt\":\"" + token + "\"}"));
        assertThat(read(s.getInputStream()).text()).contains("hello_ok");
        return s;
    }

    private static Socket open() throws IOException {
        return open(w);
    }

    private static Socket open(Worker worker) throws IOException {
        Socket s = new Socket("127.0.0.1", worker.port);
        s.setSoTimeout(30_000);
        return s;
    }

    private static String hello() {
        return "{\"type\":\"hello\",\"jwt\":\"" + w.token(db) + "\"}";
    }

    @Test
    void theFrontAnswersTheHandshakeAndAHelloInTheSamePacket() throws Exception {
        double served = counter("worker.sql.front.websocket.connections");
        double relayed = counter("worker.sql.front.relayed.connections");
        try (Socket s = open()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(handshake("13", "hrana2, hrana3").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(text(hello()));
            out.writeBytes(text("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}"));
            s.getOutputStream().write(out.toByteArray());
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 101").contains("Sec-WebSocket-Protocol: hrana3")
                    // base64(SHA-1(key + GUID)) of sixteen zero bytes, as RFC 6455 computes it
                    .contains("Sec-WebSocket-Accept: ICX+Yqv66kxgM0FcWaLWlFLwTAI=");
            assertThat(read(s.getInputStream()).text()).contains("hello_ok");
            assertThat(read(s.getInputStream()).text()).contains("\"request_id\":1").contains("response_ok");
        }
        assertThat(counter("worker.sql.front.websocket.connections") - served).isEqualTo(1);
        assertThat(counter("worker.sql.front.relayed.connections") - relayed).isZero();
    }

    @Test
    void textAcrossFramesWithAPingBetweenAndTheCloseIsEchoed() throws Exception {
        try (Socket s = helloed()) {
            s.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}"));
            assertThat(read(s.getInputStream()).text()).contains("response_ok");
            // "é" is two bytes in UTF-8: the first frame ends between them
            byte[] msg = ("{\"type\":\"request\",\"request_id\":2,\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                    + "\"stmt\":{\"sql\":\"SELECT 'café'\"}}}").getBytes(StandardCharsets.UTF_8);
            int cut = indexOf(msg, (byte) 0xc3) + 1;
            s.getOutputStream().write(frame(0x1, false, java.util.Arrays.copyOfRange(msg, 0, cut)));
            s.getOutputStream().write(frame(0x9, true, "ping".getBytes(StandardCharsets.US_ASCII)));
            Frame pong = read(s.getInputStream());
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(pong.text()).isEqualTo("ping");
            s.getOutputStream().write(frame(0x0, true, java.util.Arrays.copyOfRange(msg, cut, msg.length)));
            assertThat(read(s.getInputStream()).text()).contains("\"request_id\":2").contains("café");
            s.getOutputStream().write(frame(0x8, true, new byte[] {0x03, (byte) 0xe8})); // 1000
            Frame close = read(s.getInputStream());
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(1000);
            assertThat(s.getInputStream().read()).as("the worker closed the connection").isEqualTo(-1);
        }
    }

    @Test
    void frameAbuseEndsThatConnectionWithItsCode() throws Exception {
        // an unmasked client frame is a protocol error (1002); invalid UTF-8 in text is 1007; a frame over
        // max-message-bytes is 1009 before it is buffered
        byte[] unmasked = {(byte) 0x81, 0x02, 'h', 'i'};
        byte[] badUtf8 = frame(0x1, true, new byte[] {(byte) 0xc3, 0x28});
        byte[] huge = frame(0x1, true, new byte[70_000]);
        int[] codes = {1002, 1007, 1009};
        byte[][] abuse = {unmasked, badUtf8, huge};
        for (int i = 0; i < abuse.length; i++) {
            try (Socket s = helloed()) {
                s.getOutputStream().write(abuse[i]);
                Frame close = read(s.getInputStream());
                assertThat(close.opcode()).isEqualTo(0x8);
                assertThat(close.closeCode()).as("close code for abuse " + i).isEqualTo(codes[i]);
            }
        }
        assertThat(w.exec(w.token(db), "SELECT count(*) FROM t").has("cols")).isTrue();
    }

    /**
     * A client that asks for large answers and never reads them: its answers back up in its own socket (the threads
     * sending them wait, as Tomcat's blocking send does), not in the worker's memory, and other clients go on.
     */
    @Test
    void aClientThatDoesNotReadHoldsOnlyItself() throws Exception {
        double inline = counter("worker.sql.front.websocket.inline");
        try (Socket hog = helloed()) {
            hog.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}"));
            assertThat(read(hog.getInputStream()).text()).contains("response_ok");
            Thread.sleep(50); // the stream is idle: its reads may run on the loop
            for (int i = 0; i < 30; i++) {
                hog.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":" + (100 + i)
                        + ",\"request\":{\"type\":\"execute\",\"stream_id\":1,\"stmt\":{\"sql\":\"SELECT zeroblob(1000000)\"}}}"));
            }
            Thread.sleep(500); // the hog's answers are sent until its socket is full, then its senders wait
            // ~1.3 MB of JSON each: once the kernel's buffers are full the loop runs none of its reads (it would buffer them)
            assertThat(counter("worker.sql.front.websocket.inline") - inline).as("reads the loop answered").isLessThanOrEqualTo(10);
            try (Socket other = helloed()) {
                other.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}"));
                assertThat(read(other.getInputStream()).text()).contains("response_ok");
                other.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":2,\"request\":{\"type\":\"execute\","
                        + "\"stream_id\":1,\"stmt\":{\"sql\":\"SELECT 42\"}}}"));
                assertThat(read(other.getInputStream()).text()).contains("\"request_id\":2").contains("42");
            }
        }
        assertThat(w.exec(w.token(db), "SELECT count(*) FROM t").has("cols")).isTrue();
    }

    /**
     * A plain read on an idle stream outside a transaction is run on the loop, like an HTTP read; in a transaction, or
     * when it outlasts the inline budget, it runs on a stream thread, and every answer is right.
     */
    @Test
    void plainReadsOnAnIdleStreamRunOnTheLoop() throws Exception {
        java.util.function.DoubleSupplier inline = () -> counter("worker.sql.front.websocket.inline");
        try (Socket s = helloed()) {
            String[] answers = new String[6];
            String[] sql = {"SELECT 41 + 1", "BEGIN", "SELECT 7", "COMMIT",
                    "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) FROM c",
                    "SELECT 'again'"};
            s.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}"));
            assertThat(read(s.getInputStream()).text()).contains("response_ok");
            // a first read opens a reader connection if none is idle (on a stream thread)
            s.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":2,\"request\":{\"type\":"
                    + "\"execute\",\"stream_id\":1,\"stmt\":{\"sql\":\"SELECT 0\"}}}"));
            assertThat(read(s.getInputStream()).text()).contains("response_ok");
            double[] counts = new double[sql.length];
            for (int i = 0; i < sql.length; i++) {
                // the stream thread that sent the last answer marks the stream idle just after: let it
                Thread.sleep(50);
                double before = inline.getAsDouble();
                s.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":" + (10 + i) + ",\"request\":{\"type\":"
                        + "\"execute\",\"stream_id\":1,\"stmt\":{\"sql\":\"" + sql[i] + "\"}}}"));
                answers[i] = read(s.getInputStream()).text();
                counts[i] = inline.getAsDouble() - before;
                assertThat(answers[i]).as(sql[i]).contains("\"request_id\":" + (10 + i)).contains("response_ok");
            }
            assertThat(answers[0]).contains("\"42\"");
            assertThat(answers[2]).contains("\"7\"");
            assertThat(answers[4]).contains("\"2000000\"");
            assertThat(answers[5]).contains("again");
            // the first read and the last ran on the loop; BEGIN/COMMIT are not reads, the read inside the
            // transaction and the one over the budget ran on a stream thread
            assertThat(counts).containsExactly(1, 0, 0, 0, 0, 1);
        }
    }

    private static String request(int id, String body) {
        return "{\"type\":\"request\",\"request_id\":" + id + ",\"request\":" + body + "}";
    }

    private static String execute(int stream, String sql) {
        return "{\"type\":\"execute\",\"stream_id\":" + stream + ",\"stmt\":{\"sql\":\"" + sql + "\"}}";
    }

    /** Reads {@code n} answers, by request id. */
    private static java.util.Map<Integer, String> answers(Socket s, int n) throws IOException {
        java.util.Map<Integer, String> byId = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            String a = read(s.getInputStream()).text();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"request_id\":(\\d+)").matcher(a);
            assertThat(m.find()).as(a).isTrue();
            byId.put(Integer.parseInt(m.group(1)), a);
        }
        return byId;
    }

    /**
     * One statement as @libsql/client sends it over WebSocket: {@code open_stream}, {@code execute} and
     * {@code close_stream} back to back (request ids {@code id} to {@code id + 2}); the open and the close must succeed.
     * The execute's answer.
     */
    private static String asTheClientSendsIt(Socket s, int id, int stream, String sql) throws IOException {
        s.getOutputStream().write(text(request(id, "{\"type\":\"open_stream\",\"stream_id\":" + stream + "}")));
        s.getOutputStream().write(text(request(id + 1, execute(stream, sql))));
        s.getOutputStream().write(text(request(id + 2, "{\"type\":\"close_stream\",\"stream_id\":" + stream + "}")));
        java.util.Map<Integer, String> got = answers(s, 3);
        assertThat(got.get(id)).contains("response_ok");
        assertThat(got.get(id + 2)).contains("response_ok");
        return got.get(id + 1);
    }

    private static double streamsInline(Worker worker) {
        return worker.ctx.getBean(MeterRegistry.class).counter("worker.sql.front.websocket.streams.inline").count();
    }

    private static double writes(Worker worker, String ran) {
        return worker.ctx.getBean(MeterRegistry.class).counter("worker.sql.front.websocket.writes", "ran", ran).count();
    }

    /**
     * Single autocommit writes on idle streams wait for their group commit without a stream thread each: while a
     * transaction holds the writer, only the group's leader waits on a thread; nothing is answered before the COMMIT,
     * then each write its own result, and a read sent right behind a write on its stream sees that write.
     */
    @Test
    void singleWritesOnIdleStreamsWaitForTheirGroupWithoutAThreadEach() throws Exception {
        String token = w.token(db);
        w.exec(token, "CREATE TABLE IF NOT EXISTS q (n INTEGER PRIMARY KEY)");
        int writes = 12;
        try (Socket s = helloed()) {
            for (int i = 1; i <= writes; i++) {
                s.getOutputStream().write(text(request(i, "{\"type\":\"open_stream\",\"stream_id\":" + i + "}")));
            }
            assertThat(answers(s, writes)).hasSize(writes);
            String baton = w.pipeline(token, "{\"baton\":null,\"requests\":[" + Worker.stmtReq("BEGIN IMMEDIATE") + "]}")
                    .get("baton").asString();
            boolean committed = false;
            try {
                double grouped = writes(w, "grouped") + writes(w, "led_on_loop");
                for (int i = 1; i <= writes; i++) {
                    s.getOutputStream().write(text(request(100 + i, execute(i, "INSERT INTO q VALUES (" + i + ")"))));
                }
                s.getOutputStream().write(text(request(200, execute(1, "SELECT count(*) FROM q WHERE n = 1"))));
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                        writes(w, "grouped") + writes(w, "led_on_loop") - grouped == writes);
                dev.libsqlplatform.dataplane.storage.BlockedWaits blocked =
                        w.ctx.getBean(dev.libsqlplatform.dataplane.storage.BlockedWaits.class);
                Thread.sleep(200); // (a stream thread waiting for each write would count here: before, one per write)
                assertThat(blocked.now()).as("only the group's leader waits on a thread").isEqualTo(1);
                assertThat(s.getInputStream().available()).as("nothing answered before the COMMIT").isZero();
                w.pipeline(token, "{\"baton\":\"" + baton + "\",\"requests\":[" + Worker.stmtReq("COMMIT")
                        + ",{\"type\":\"close\"}]}");
                committed = true;
                java.util.Map<Integer, String> got = answers(s, writes + 1);
                for (int i = 1; i <= writes; i++) {
                    assertThat(got.get(100 + i)).contains("response_ok").contains("\"affected_row_count\":1");
                }
                assertThat(got.get(200)).contains("response_ok").contains("\"1\"");
            } finally {
                if (!committed) { // a failed assertion must not leave the writer held for the tests after this one
                    w.pipeline(token, "{\"baton\":\"" + baton + "\",\"requests\":[" + Worker.stmtReq("ROLLBACK")
                            + ",{\"type\":\"close\"}]}");
                }
            }
        }
        assertThat(w.exec(token, "SELECT count(*) FROM q").at("/rows/0/0/value").asString())
                .isEqualTo(String.valueOf(writes));
    }

    /**
     * A write that fails on the group path gets its own error, and its stream goes on; a write inside a transaction
     * is not queued so (it runs on the stream's connection, on a stream thread).
     */
    @Test
    void groupedWritesFailAloneAndTransactionsKeepTheirConnection() throws Exception {
        w.exec(w.token(db), "CREATE TABLE IF NOT EXISTS u (n INTEGER PRIMARY KEY)");
        try (Socket s = helloed()) {
            s.getOutputStream().write(text(request(1, "{\"type\":\"open_stream\",\"stream_id\":1}")));
            assertThat(read(s.getInputStream()).text()).contains("response_ok");
            double queued = writes(w, "grouped") + writes(w, "led_on_loop");
            String[] sql = {"INSERT INTO u VALUES (1)", "INSERT INTO u VALUES (1)", "INSERT INTO missing VALUES (1)",
                    "INSERT INTO u VALUES (2)"};
            String[] got = new String[sql.length];
            for (int i = 0; i < sql.length; i++) {
                s.getOutputStream().write(text(request(10 + i, execute(1, sql[i]))));
                got[i] = read(s.getInputStream()).text();
                Thread.sleep(50); // the group's leader marks the stream idle just after its answer
            }
            assertThat(got[0]).contains("response_ok");
            assertThat(got[1]).contains("response_error").contains("SQLITE_CONSTRAINT");
            assertThat(got[2]).contains("response_error").contains("no such table");
            assertThat(got[3]).contains("response_ok");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)) // counted just after the answer
                    .until(() -> writes(w, "grouped") + writes(w, "led_on_loop") - queued == sql.length);
            double before = writes(w, "grouped") + writes(w, "led_on_loop");
            for (String q : new String[] {"BEGIN", "INSERT INTO u VALUES (3)", "ROLLBACK"}) {
                s.getOutputStream().write(text(request(20, execute(1, q))));
                assertThat(read(s.getInputStream()).text()).as(q).contains("response_ok");
                Thread.sleep(50); // the stream thread marks the stream idle just after its answer
            }
            assertThat(writes(w, "grouped") + writes(w, "led_on_loop") - before).isZero();
        }
        assertThat(w.exec(w.token(db), "SELECT group_concat(n) FROM u").at("/rows/0/0/value").asString())
                .isEqualTo("1,2");
    }

    /**
     * A WebSocket that has been the only sender of its event loop for a while has its single writes led right there,
     * as HTTP's (no hand-off to a stream thread and back).
     */
    @Test
    void aSocketAloneOnItsLoopHasItsWritesLedThere(@org.junit.jupiter.api.io.TempDir Path own) throws Exception {
        try (Worker one = new Worker(own, "platform.worker.http.event-loops=1")) {
            String dbId = one.createDatabase("lone", "acme");
            one.exec(one.token(dbId), "CREATE TABLE t (x)");
            one.exec(one.token(dbId), "INSERT INTO t VALUES (0)"); // the first write sets the writer up
            try (Socket s = helloed(one, one.token(dbId))) {
                Thread.sleep(1_100); // SqlFront.SOLE_SENDER_NANOS (1 s), and a little
                double led = writes(one, "led_on_loop");
                double grouped = writes(one, "grouped");
                double streams = streamsInline(one);
                for (int i = 1; i <= 3; i++) {
                    // as @libsql/client sends a lone statement: a stream of its own, opened and closed around it, back
                    // to back; the stream is opened and closed on the loop too, so the write finds it idle
                    assertThat(asTheClientSendsIt(s, 10 * i, 2, "INSERT INTO t VALUES (" + i + ")"))
                            .contains("response_ok").contains("\"affected_row_count\":1");
                }
                // counted just after the answer went out
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                        .until(() -> writes(one, "led_on_loop") + writes(one, "grouped") - led - grouped == 3);
                assertThat(writes(one, "led_on_loop") - led).isEqualTo(3);
                assertThat(streamsInline(one) - streams).as("opened and closed on the loop").isEqualTo(6);
            }
            assertThat(one.exec(one.token(dbId), "SELECT count(*) FROM t").at("/rows/0/0/value").asString())
                    .isEqualTo("4");
        }
    }

    /**
     * A stream opened while its database is not open (closed to keep max-open-databases) is opened on a stream thread,
     * not refused on the loop, and serves as any other.
     */
    @Test
    void aStreamOfADatabaseNotOpenIsOpenedOffTheLoop(@org.junit.jupiter.api.io.TempDir Path own) throws Exception {
        try (Worker one = new Worker(own, "platform.worker.max-open-databases=1")) {
            String a = one.createDatabase("a", "acme");
            String b = one.createDatabase("b", "acme");
            one.exec(one.token(a), "CREATE TABLE t (x)");
            one.exec(one.token(a), "INSERT INTO t VALUES (7)");
            try (Socket s = helloed(one, one.token(a))) {
                double streams = streamsInline(one);
                for (int round = 0; round < 2; round++) {
                    one.exec(one.token(b), "SELECT 1"); // opens b, which closes a
                    assertThat(one.ctx.getBean(dev.libsqlplatform.dataplane.storage.DatabaseRegistry.class).isOpen(a))
                            .isFalse();
                    assertThat(asTheClientSendsIt(s, 10 * (round + 1), 1, "SELECT x FROM t"))
                            .contains("response_ok").contains("\"7\"");
                }
                // the opens did not run on the loop (the database was not open); a close did when its stream was idle
                assertThat(streamsInline(one) - streams).isLessThanOrEqualTo(2);
            }
        }
    }

    /**
     * A refused hello while the client goes on sending (as the official client does: it does not wait for hello_ok):
     * the client gets the hello_error and the close frame, not a reset (closing with its bytes unread would send one).
     */
    @Test
    void aRefusedHelloReachesAClientThatKeepsSending() throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Socket s = open()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(handshake("13", "hrana3").getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(text("{\"type\":\"hello\",\"jwt\":\"not-a-token\"}"));
                for (int i = 1; i <= 20; i++) {
                    out.writeBytes(text("{\"type\":\"request\",\"request_id\":" + i
                            + ",\"request\":{\"type\":\"open_stream\",\"stream_id\":" + i + "}}"));
                }
                s.getOutputStream().write(out.toByteArray());
                assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 101");
                // more after a moment, as a client that has not seen the refusal yet
                Thread.sleep(20);
                for (int i = 21; i <= 40; i++) {
                    s.getOutputStream().write(text("{\"type\":\"request\",\"request_id\":" + i
                            + ",\"request\":{\"type\":\"open_stream\",\"stream_id\":" + i + "}}"));
                }
                Frame first = read(s.getInputStream());
                assertThat(first.text()).contains("hello_error");
                Frame close = read(s.getInputStream());
                assertThat(close.opcode()).isEqualTo(0x8);
                assertThat(close.closeCode()).isEqualTo(1008);
            }
        }
    }

    @Test
    void handshakesTheFrontDoesNotTakeAreTomcats() throws Exception {
        double relayed = counter("worker.sql.front.relayed.connections");
        try (Socket s = open()) {
            // version 8: Tomcat asks for 13 (426 Upgrade Required with Sec-WebSocket-Version)
            s.getOutputStream().write(handshake("8", "hrana3").getBytes(StandardCharsets.US_ASCII));
            String head = readHead(s.getInputStream());
            assertThat(head).doesNotStartWith("HTTP/1.1 101").containsIgnoringCase("Sec-WebSocket-Version: 13");
        }
        assertThat(counter("worker.sql.front.relayed.connections") - relayed).isEqualTo(1);
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
