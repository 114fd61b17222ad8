package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.libsqlplatform.dataplane.storage.BlockedWaits;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The SQL port's event-loop front ({@code http.SqlFront}): what it serves itself and where (on the loop, on a request
 * thread), that a long read cannot stall the other connections of its loop, that pipelined requests keep their order,
 * that everything else reaches Tomcat byte for byte (smuggling attempts included) and with the client's address, and
 * its own limits (slow heads and bodies, connections). One event loop, so every connection shares it.
 */
@Timeout(120)
class SqlFrontTest {
    private static final int TIMEOUT_MS = 800;

    @TempDir
    static Path dir;
    static Worker w;
    static String db;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        w = new Worker(dir.resolve("w"), "platform.worker.http.event-loops=1",
                "platform.worker.limits.body-read-timeout=" + TIMEOUT_MS + "ms", "server.address=0.0.0.0");
        db = w.createDatabase("front", "acme");
        token = w.token(db);
        w.exec(token, "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)");
        w.exec(token, "INSERT INTO kv SELECT value, 'v' || value FROM (WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL"
                + " SELECT value + 1 FROM s WHERE value < 300) SELECT value FROM s)");
    }

    @AfterAll
    static void stop() {
        if (w != null) {
            w.close();
        }
    }

    private static double ran(String where) {
        return w.ctx.getBean(MeterRegistry.class).counter("worker.sql.front.requests", "ran", where).count();
    }

    private static double relayed() {
        return w.ctx.getBean(MeterRegistry.class).counter("worker.sql.front.relayed.connections").count();
    }

    private static double passed() {
        return w.ctx.getBean(MeterRegistry.class).counter("worker.sql.front.tomcat.requests").count();
    }

    private static String read(String sql) {
        return "{\"baton\":null,\"requests\":[" + Worker.stmtReq(sql) + ",{\"type\":\"close\"}]}";
    }

    private static Socket connect() throws Exception {
        Socket s = new Socket("127.0.0.1", w.port);
        s.setSoTimeout(30_000);
        return s;
    }

    @Test
    void queriesRunOnTheLoopAndEverythingElseOnRequestThreads() throws Exception {
        w.exec(token, "SELECT 1"); // the database is open and a reader idle from here on
        double inline = ran("inline");
        double pool = ran("request_thread");
        for (int i = 0; i < 3; i++) {
            assertThat(w.exec(token, "SELECT v FROM kv WHERE k = ?", "{\"type\":\"integer\",\"value\":\"7\"}")
                    .get("rows").get(0).get(0).get("value").asString()).isEqualTo("v7");
        }
        assertThat(ran("inline") - inline).isEqualTo(3);
        assertThat(ran("request_thread") - pool).isZero();
        // a WITH and a stream kept open (no close) may wait or leave something behind; a single write is admitted on
        // the loop and queued for its group commit, whose leader (a request thread) answers it
        double grouped = ran("grouped");
        double led = ran("led_on_loop");
        assertThat(w.exec(token, "UPDATE kv SET v = 'v7' WHERE k = 7").get("affected_row_count").asLong()).isEqualTo(1);
        w.exec(token, "WITH x AS (SELECT 1) SELECT * FROM x");
        JsonNode kept = w.pipeline(token, "{\"baton\":null,\"requests\":[" + Worker.stmtReq("SELECT 1") + "]}");
        assertThat(kept.get("baton").isNull()).isFalse();
        assertThat(ran("request_thread") - pool).isEqualTo(2);
        // (led on the loop instead when the client's connection is the loop's only one)
        assertThat(ran("grouped") + ran("led_on_loop") - grouped - led).isEqualTo(1);
        assertThat(ran("inline") - inline).isEqualTo(3);
    }

    /**
     * A connection that has been the only one its event loop read from for a while has its single writes led right
     * there: no hand-off to a request thread and back. Once another connection sends something on the loop, its writes
     * are queued for a request thread again, until it has been the only sender for a while again. Idle connections
     * (the test's HttpClient, which created the database) do not count.
     */
    @Test
    void aConnectionAloneOnItsLoopHasItsWritesLedThere(@TempDir Path own) throws Exception {
        try (Worker one = new Worker(own, "platform.worker.http.event-loops=1")) {
            String tk = one.token(one.createDatabase("lone", "acme"));
            MeterRegistry m = one.ctx.getBean(MeterRegistry.class);
            java.util.function.DoubleSupplier led = () -> m.counter("worker.sql.front.requests", "ran", "led_on_loop").count();
            java.util.function.DoubleSupplier queued = () -> m.counter("worker.sql.front.requests", "ran", "grouped").count();
            long sole = 1_100; // SqlFront.SOLE_SENDER_NANOS (1 s), and a little
            try (Socket a = connect(one)) {
                assertThat(exec(a, tk, "CREATE TABLE t (x)")).contains("\"type\":\"ok\"");
                // the database's first write sets the writer up (a file check) on a request thread
                assertThat(exec(a, tk, "INSERT INTO t VALUES (0)")).contains("\"affected_row_count\":1");
                Thread.sleep(sole);
                double led0 = led.getAsDouble();
                double queued0 = queued.getAsDouble();
                for (int i = 1; i <= 3; i++) {
                    assertThat(exec(a, tk, "INSERT INTO t VALUES (" + i + ")")).contains("\"affected_row_count\":1");
                }
                assertThat(led.getAsDouble() - led0).isEqualTo(3);
                assertThat(queued.getAsDouble() - queued0).isZero();

                try (Socket b = connect(one)) {
                    assertThat(exec(b, tk, "SELECT 1")).contains("\"type\":\"ok\"");
                    assertThat(exec(a, tk, "INSERT INTO t VALUES (10)")).contains("\"affected_row_count\":1");
                    assertThat(led.getAsDouble() - led0).as("not led right after another connection sent").isEqualTo(3);
                    assertThat(queued.getAsDouble() - queued0).isEqualTo(1);
                    Thread.sleep(sole); // b, still open, sends nothing more
                    assertThat(exec(a, tk, "INSERT INTO t VALUES (20)")).contains("\"affected_row_count\":1");
                    assertThat(led.getAsDouble() - led0).isEqualTo(4);
                }
                assertThat(exec(a, tk, "SELECT count(*) FROM t")).contains("\"value\":\"6\"");
            }
        }
    }

    private static Socket connect(Worker to) throws Exception {
        Socket s = new Socket("127.0.0.1", to.port);
        s.setSoTimeout(30_000);
        return s;
    }

    /** One statement on its own stream over {@code s}; the answer's body. */
    private static String exec(Socket s, String tk, String sql) throws Exception {
        RawHttp.write(s, RawHttp.post("/v2/pipeline", tk, read(sql), ""));
        RawHttp.Answer answer = RawHttp.readOne(s);
        assertThat(answer.status()).isEqualTo(200);
        return answer.body();
    }

    @Test
    void aLongReadMovesOffTheLoopAndTheLoopKeepsServing() throws Exception {
        w.exec(token, "SELECT 1");
        double moved = ran("moved");
        // 300^3 = 27 million rows: far longer than the loop's budget
        String slow = "SELECT count(*) FROM kv a, kv b, kv c WHERE a.v <> b.v || c.v";
        CompletableFuture<JsonNode> longRead = CompletableFuture.supplyAsync(() -> {
            try {
                return w.exec(token, slow);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran("moved") > moved);
        assertThat(longRead).isNotDone();
        List<Long> millis = new ArrayList<>();
        try (Socket s = connect()) {
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                RawHttp.write(s, RawHttp.post("/v2/pipeline", token, read("SELECT v FROM kv WHERE k = 1"), ""));
                RawHttp.Answer a = RawHttp.readOne(s);
                millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.body()).contains("\"v1\"");
            }
        }
        assertThat(longRead).as("the long read was still running while the point reads were answered").isNotDone();
        assertThat(Collections.max(millis)).as("point reads on the same loop, ms").isLessThan(500);
        JsonNode result = longRead.get(60, TimeUnit.SECONDS);
        assertThat(result.get("rows").get(0).get(0).get("value").asString()).isEqualTo("27000000");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        w.exec(token, "CREATE TABLE IF NOT EXISTS seq (n INTEGER)");
        try (Socket s = connect()) {
            String insert = "{\"baton\":null,\"requests\":[" + Worker.stmtReq("INSERT INTO seq VALUES (41)")
                    + ",{\"type\":\"close\"}]}";
            // a write (request thread), then reads (loop) that must see it, all sent before any answer
            RawHttp.write(s, RawHttp.post("/v2/pipeline", token, insert, "")
                    + RawHttp.post("/v2/pipeline", token, read("SELECT count(*) FROM seq WHERE n = 41"), "")
                    + RawHttp.post("/v3/pipeline", token, read("SELECT 'third'"), ""));
            RawHttp.Answer first = RawHttp.readOne(s);
            RawHttp.Answer second = RawHttp.readOne(s);
            RawHttp.Answer third = RawHttp.readOne(s);
            assertThat(first.body()).contains("\"affected_row_count\":1");
            assertThat(second.body()).contains("\"value\":\"1\"");
            assertThat(third.body()).contains("\"third\"");
        }
    }

    @Test
    void otherRequestsGoToTomcatOneAtATimeAndTheConnectionComesBack() throws Exception {
        double passed = passed();
        double relayed = relayed();
        double inline = ran("inline");
        try (Socket s = connect()) {
            // what an official client sends on one connection: a version probe, a cursor, pipelines
            RawHttp.write(s, "GET /v3 HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(RawHttp.readOne(s).body()).contains("HTTP API v3");
            RawHttp.write(s, RawHttp.post("/v2/pipeline", token, read("SELECT 'fast'"), ""));
            assertThat(RawHttp.readOne(s).body()).contains("\"fast\"");
            RawHttp.write(s, RawHttp.post("/v3/cursor", token, "{\"baton\":null,\"batch\":{\"steps\":[{\"stmt\":"
                    + "{\"sql\":\"SELECT 'cursor'\"}}]}}", ""));
            RawHttp.Answer cursor = RawHttp.readOne(s);
            assertThat(cursor.status()).isEqualTo(200);
            assertThat(cursor.body()).contains("cursor");
            RawHttp.write(s, "HEAD /v2 HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.Answer head = RawHttp.readHeadOnly(s);
            assertThat(head.status()).isEqualTo(200);
            RawHttp.write(s, RawHttp.post("/v3/pipeline", token, read("SELECT 'again'"), ""));
            assertThat(RawHttp.readOne(s).body()).contains("\"again\"");
        }
        assertThat(passed() - passed).isEqualTo(3);
        assertThat(ran("inline") - inline).as("the pipelines stayed on the fast path").isEqualTo(2);
        // a bad token: Tomcat's 401, and it closes the connection as it always did (the body was not read)
        try (Socket s = connect()) {
            RawHttp.write(s, RawHttp.post("/v2/pipeline", "not-a-token", read("SELECT 1"), ""));
            RawHttp.Answer refused = RawHttp.read(s, 2000);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("content-type")).isEqualTo("application/json");
            assertThat(refused.body()).contains("\"code\":\"UNAUTHORIZED\"");
        }
        // a chunked body: the connection is Tomcat's for good
        try (Socket s = connect()) {
            RawHttp.write(s, "POST /v2/pipeline HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n" + RawHttp.chunk(read("SELECT 'chunked'")) + "0\r\n\r\n");
            RawHttp.Answer chunked = RawHttp.readOne(s);
            assertThat(chunked.status()).isEqualTo(200);
            assertThat(chunked.body()).contains("\"chunked\"");
            RawHttp.write(s, RawHttp.post("/v2/pipeline", token, read("SELECT 'after'"), ""));
            assertThat(RawHttp.readOne(s).body()).contains("\"after\"");
        }
        assertThat(relayed() - relayed).isEqualTo(1);
    }

    @Test
    void aSlowReaderOfALargeTomcatAnswerGetsTheNextAnswerToo() throws Exception {
        // an answer larger than the socket buffers, read slowly: the front pauses reading Tomcat's side while the
        // client cannot take more, and must not leave it paused once that answer has ended (it hung the next one)
        w.exec(token, "CREATE TABLE IF NOT EXISTS big (v TEXT)");
        w.exec(token, "DELETE FROM big");
        w.exec(token, "INSERT INTO big SELECT printf('%.2000c', 'x') FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL"
                + " SELECT n + 1 FROM s WHERE n < 4000) SELECT n FROM s)");
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(8 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", w.port), 5000);
            s.setSoTimeout(20_000);
            for (int round = 0; round < 3; round++) {
                RawHttp.write(s, RawHttp.post("/", token, "{\"statements\":[\"SELECT v FROM big\"]}", ""));
                Thread.sleep(300); // the server's buffers fill, its side of the front stops being writable
                RawHttp.Answer big = RawHttp.readOne(s);
                assertThat(big.status()).isEqualTo(200);
                assertThat(big.body().length()).isGreaterThan(8_000_000);
                RawHttp.write(s, "GET /v3 HTTP/1.1\r\nHost: localhost\r\n\r\n");
                assertThat(RawHttp.readOne(s).body()).contains("HTTP API v3");
                RawHttp.write(s, RawHttp.post("/v2/pipeline", token, read("SELECT count(*) FROM big"), ""));
                assertThat(RawHttp.readOne(s).body()).contains("\"4000\"");
            }
        }
    }

    @Test
    void aClientThatSendsWithoutReadingIsPausedNotBuffered() throws Exception {
        // 8,000 pipelined reads of ~4.5 KB each (36 MB), answers of ~2 KB (17 MB): far more than the sockets buffer
        int n = 8_000;
        byte[] one = RawHttp.post("/v2/pipeline", token, read("SELECT printf('%.2000c', 'y')"),
                "X-Pad: " + "p".repeat(4000) + "\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(8 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", w.port), 5000);
            s.setSoTimeout(30_000);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    var out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
                    for (int i = 0; i < n; i++) {
                        out.write(one);
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(3000); // nothing read: the worker stops taking requests once its answers back up
            assertThat(writer).as("the worker stopped reading a client that does not read its answers").isNotDone();
            var in = new java.io.BufferedInputStream(s.getInputStream(), 64 * 1024);
            for (int i = 0; i < n; i++) {
                RawHttp.Answer a = RawHttp.readOne(in);
                assertThat(a.status()).as("answer " + i).isEqualTo(200);
                assertThat(a.body()).contains("yyyy");
            }
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void oddRequestsAreLeftToTomcatWhole() throws Exception {
        String body = read("SELECT 1");
        String auth = "Authorization: Bearer " + token + "\r\n";
        java.util.Map<String, String> attacks = new java.util.LinkedHashMap<>();
        List<String> names = List.of("CL and TE", "two CLs", "folded header", "bare LF", "space before colon",
                "control byte", "HTTP/1.0", "query string", "Expect", "head over 8 KB");
        List<String> requests = List.of(
                // Content-Length and Transfer-Encoding together, with a request hidden behind
                "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: " + body.length()
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + RawHttp.post("/v2/pipeline", token, body, ""),
                // two Content-Lengths that disagree
                "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: " + body.length()
                        + "\r\nContent-Length: 0\r\n\r\n" + body,
                // a folded header, a bare LF, a space before the colon, a control byte, HTTP/1.0, a query string
                "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\n" + auth + "X-A: 1\r\n b\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body,
                "POST /v2/pipeline HTTP/1.1\nHost: x\r\n" + auth + "Content-Length: " + body.length() + "\r\n\r\n" + body,
                "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length : " + body.length() + "\r\n\r\n" + body,
                "POST /v2/pipeline HTTP/1.1\r\nHost: x\u0001\r\n" + auth + "Content-Length: " + body.length() + "\r\n\r\n"
                        + body,
                "POST /v2/pipeline HTTP/1.0\r\nHost: x\r\n" + auth + "Content-Length: " + body.length() + "\r\n\r\n" + body,
                "POST /v2/pipeline?x=1 HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: " + body.length() + "\r\n\r\n"
                        + body,
                // Expect: 100-continue, and a head over 8 KB
                "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\n" + auth + "Expect: 100-continue\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body,
                "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(9000) + "\r\n" + auth
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body);
        for (int i = 0; i < names.size(); i++) {
            attacks.put(names.get(i), requests.get(i));
        }
        double relayed = relayed();
        double passed = passed();
        double served = ran("inline") + ran("request_thread") + ran("moved");
        for (var attack : attacks.entrySet()) {
            try (Socket s = connect()) {
                RawHttp.write(s, attack.getValue());
                RawHttp.Answer a = RawHttp.read(s, 3000);
                assertThat(a.statusLine()).as(attack.getKey()).isNotNull();
                assertThat(a.status()).as(attack.getKey() + ": " + a.body()).isIn(100, 200, 400, 401, 413, 431, 505);
            }
        }
        assertThat(relayed() - relayed + passed() - passed).as("every one went to Tomcat").isEqualTo(attacks.size());
        assertThat(ran("inline") + ran("request_thread") + ran("moved")).as("none served by the loop").isEqualTo(served);
        assertThat(w.exec(token, "SELECT 1").has("rows")).isTrue();
    }

    @Test
    void aSlowBodyGets408AndASlowHeadIsClosed() throws Exception {
        try (Socket s = connect()) {
            String body = read("SELECT 1");
            RawHttp.write(s, "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 10));
            long t0 = System.nanoTime();
            RawHttp.Answer a = RawHttp.read(s, 2000);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(a.status()).isEqualTo(408);
            assertThat(a.body()).contains("\"code\":\"REQUEST_TIMEOUT\"");
            assertThat(a.header("connection")).isEqualTo("close");
            assertThat(a.closed()).isTrue();
            assertThat(ms).isBetween((long) TIMEOUT_MS - 100, (long) TIMEOUT_MS + 1500);
        }
        try (Socket s = connect()) {
            RawHttp.write(s, "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\n");
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(TIMEOUT_MS + 1500);
        }
        assertThat(w.exec(token, "SELECT 1").has("rows")).isTrue();
    }

    @Test
    void theClientsAddressReachesTheAllowListOnBothPaths() throws Exception {
        InetAddress own = nonLoopbackAddress();
        assumeThat(own).as("a non-loopback IPv4 address on this machine").isNotNull();
        String id = w.createDatabase("allow", "acme");
        String t = w.token(id);
        String keys = "[{\"kid\":\"k1\",\"publicKey\":\"" + Worker.rawPublicKey(w.keys.get(id)) + "\"}]";
        String body = read("SELECT 'ok'");
        for (String allowed : List.of(own.getHostAddress() + "/32", "127.0.0.0/8")) {
            w.put(id, "{\"name\":\"allow\",\"organization\":\"acme\",\"maxBytes\":0,\"keys\":" + keys
                    + ",\"revokedTokenIds\":[],\"blockReads\":false,\"blockWrites\":false,\"allowedIps\":[\"" + allowed
                    + "\"]}");
            int expected = allowed.startsWith("127.") ? 403 : 200;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(own, w.port), 5000);
                s.setSoTimeout(10_000);
                // served by the loop
                RawHttp.write(s, RawHttp.post("/v2/pipeline", t, body, ""));
                assertThat(RawHttp.readOne(s).status()).as("front, allowed " + allowed).isEqualTo(expected);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(own, w.port), 5000);
                s.setSoTimeout(10_000);
                // a chunked body: relayed to Tomcat, which must see the client's address, not the relay's loopback one
                RawHttp.write(s, "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n" + RawHttp.chunk(body) + "0\r\n\r\n");
                assertThat(RawHttp.readOne(s).status()).as("relayed, allowed " + allowed).isEqualTo(expected);
            }
        }
    }

    private static InetAddress nonLoopbackAddress() throws Exception {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return a;
                }
            }
        }
        return null;
    }

    @Test
    void connectionsOverTheLimitAreClosedAtOnce(@TempDir Path own) throws Exception {
        try (Worker small = new Worker(own, "platform.worker.http.max-connections=3")) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket("127.0.0.1", small.port);
                    s.setSoTimeout(5000);
                    RawHttp.write(s, "GET /v2 HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(RawHttp.readOne(s).status()).isEqualTo(200);
                    open.add(s);
                }
                try (Socket over = new Socket("127.0.0.1", small.port)) {
                    over.setSoTimeout(5000);
                    assertThat(over.getInputStream().read()).as("closed at once").isEqualTo(-1);
                }
                open.remove(0).close();
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    try (Socket again = new Socket("127.0.0.1", small.port)) {
                        again.setSoTimeout(5000);
                        RawHttp.write(again, "GET /v2 HTTP/1.1\r\nHost: x\r\n\r\n");
                        assertThat(RawHttp.readOne(again).status()).isEqualTo(200);
                    }
                });
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    /**
     * Single writes from many connections wait for their group without a request thread each: while a transaction
     * holds the writer, one write leads a group and waits for it, the others are queued, and the request threads do
     * not grow with them; after the COMMIT every write is answered with its own result.
     */
    @Test
    void singleWritesWaitForTheirGroupWithoutAThreadEach() throws Exception {
        w.exec(token, "CREATE TABLE IF NOT EXISTS q (n INTEGER PRIMARY KEY)");
        JsonNode begun = w.pipeline(token, "{\"baton\":null,\"requests\":[" + Worker.stmtReq("BEGIN IMMEDIATE") + "]}");
        String baton = begun.get("baton").asString();
        double grouped = ran("grouped");
        int writes = 12;
        List<Socket> sockets = new ArrayList<>();
        boolean committed = false;
        try {
            for (int i = 1; i <= writes; i++) {
                Socket s = connect();
                sockets.add(s);
                RawHttp.write(s, RawHttp.post("/v2/pipeline", token, read("INSERT INTO q VALUES (" + i + ")"), ""));
            }
            BlockedWaits blocked = w.ctx.getBean(BlockedWaits.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> ran("grouped") - grouped == writes && blocked.now() == 1);
            Thread.sleep(200); // (each waiting on a thread of its own would count here: before, one per write)
            assertThat(blocked.now()).as("only the group's leader waits on a thread").isEqualTo(1);
            for (Socket s : sockets) {
                assertThat(s.getInputStream().available()).as("no write answered before the COMMIT").isZero();
            }
            JsonNode commit = w.pipeline(token, "{\"baton\":\"" + baton + "\",\"requests\":["
                    + Worker.stmtReq("COMMIT") + ",{\"type\":\"close\"}]}");
            committed = true;
            assertThat(commit.at("/results/0/type").asString()).isEqualTo("ok");
            for (Socket s : sockets) {
                RawHttp.Answer a = RawHttp.readOne(s);
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.body()).contains("\"affected_row_count\":1");
            }
        } finally {
            if (!committed) { // a failed assertion must not leave the writer held for the tests after this one
                w.pipeline(token, "{\"baton\":\"" + baton + "\",\"requests\":[" + Worker.stmtReq("ROLLBACK")
                        + ",{\"type\":\"close\"}]}");
            }
            for (Socket s : sockets) {
                s.close();
            }
        }
        assertThat(w.exec(token, "SELECT count(*) FROM q").at("/rows/0/0/value").asString()).isEqualTo(String.valueOf(writes));
    }

    /** A single write to a database that is not open yet is admitted on a request thread (opening it may block). */
    @Test
    void aWriteToADatabaseNotOpenYetIsAdmittedOnARequestThread(@TempDir Path own) throws Exception {
        try (Worker one = new Worker(own, "platform.worker.max-open-databases=1")) {
            String a = one.createDatabase("a", "acme");
            String b = one.createDatabase("b", "acme");
            String ta = one.token(a);
            String tb = one.token(b);
            one.exec(ta, "CREATE TABLE t (x)");
            one.exec(tb, "SELECT 1"); // opens b, which closes a
            DatabaseRegistry registry = one.ctx.getBean(DatabaseRegistry.class);
            assertThat(registry.isOpen(a)).isFalse();
            MeterRegistry m = one.ctx.getBean(MeterRegistry.class);
            double pool = m.counter("worker.sql.front.requests", "ran", "request_thread").count();
            java.util.function.DoubleSupplier admitted = () -> m.counter("worker.sql.front.requests", "ran", "grouped")
                    .count() + m.counter("worker.sql.front.requests", "ran", "led_on_loop").count();
            double grouped = admitted.getAsDouble();
            assertThat(one.exec(ta, "INSERT INTO t VALUES (1)").get("affected_row_count").asLong()).isEqualTo(1);
            assertThat(m.counter("worker.sql.front.requests", "ran", "request_thread").count() - pool).isEqualTo(1);
            assertThat(admitted.getAsDouble() - grouped).isZero();
            assertThat(one.exec(ta, "INSERT INTO t VALUES (2)").get("affected_row_count").asLong()).isEqualTo(1);
            assertThat(admitted.getAsDouble() - grouped).isEqualTo(1);
            assertThat(one.exec(ta, "SELECT count(*) FROM t").at("/rows/0/0/value").asString()).isEqualTo("2");
        }
    }
}
