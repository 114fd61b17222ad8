package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.libsqlplatform.dataplane.hrana.HranaService;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Hrana over WebSocket driven with the JDK's client: the protocol (hello, streams, requests, stored SQL,
 * cursors), the limits, token expiry and revocation, idle connections, and hostile clients; the worker must stay
 * healthy throughout.
 */
@Timeout(180) // hang guard
class HranaWebSocketTest {
    @TempDir
    static Path dir;
    static Worker w;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        startWith(); // the SQL port's front serves the sockets itself (FrontSocket)
    }

    static void startWith(String... transport) throws Exception {
        List<String> props = new java.util.ArrayList<>(List.of("platform.worker.limits.statement-timeout=10m",
                "platform.worker.websocket.idle-timeout=3s",
                "platform.worker.websocket.max-streams-per-connection=4",
                "platform.worker.websocket.max-message-bytes=64KB",
                "platform.worker.websocket.max-connections-per-token=2"));
        props.addAll(List.of(transport));
        // a data directory of its own: the Tomcat variant's class shares this static field
        w = new Worker(dir.resolve(UUID.randomUUID().toString()), props.toArray(String[]::new));
        db = w.createDatabase("ws", "acme");
        JsonNode r = w.exec(w.token(db), "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        assertThat(r.has("cols")).isTrue();
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    /** Which transport served the sockets: the front's loop, or Tomcat's container (the JDK client's handshake). */
    @Test
    void theSocketsAreServedByTheExpectedTransport() throws Exception {
        io.micrometer.core.instrument.MeterRegistry m = w.ctx.getBean(io.micrometer.core.instrument.MeterRegistry.class);
        double before = m.counter("worker.sql.front.websocket.connections").count();
        Client c = new Client("hrana3");
        assertThat(c.hello(w.token(db)).path("type").asString()).isEqualTo("hello_ok");
        assertThat(m.counter("worker.sql.front.websocket.connections").count() - before).isEqualTo(servedByFront() ? 1 : 0);
        c.ws.abort();
    }

    /** Whether the front serves the sockets itself (overridden for Tomcat alone). */
    boolean servedByFront() {
        return true;
    }

    /** A JDK WebSocket with its received messages and its close. */
    static final class Client implements WebSocket.Listener {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder part = new StringBuilder();
        final WebSocket ws;
        final AtomicInteger ids = new AtomicInteger();

        Client(String... subprotocols) {
            this(w.port, subprotocols);
        }

        /** A client of the worker on {@code port}. */
        Client(int port, String... subprotocols) {
            this(port, java.util.Map.of(), subprotocols);
        }

        /** A client of the worker on {@code port} sending extra handshake headers. */
        Client(int port, java.util.Map<String, String> headers, String... subprotocols) {
            WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
            headers.forEach(b::header);
            if (subprotocols.length > 0) {
                b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
            }
            ws = b.buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), this).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            part.append(data);
            if (last) {
                messages.add(Worker.JSON.readTree(part.toString()));
                part.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        void send(String text) {
            ws.sendText(text, true).join();
        }

        JsonNode next() throws InterruptedException {
            JsonNode m = messages.poll(30, TimeUnit.SECONDS);
            assertThat(m).as("a message from the server").isNotNull();
            return m;
        }

        JsonNode hello(String jwt) throws InterruptedException {
            send("{\"type\":\"hello\",\"jwt\":" + (jwt == null ? "null" : "\"" + jwt + "\"") + "}");
            return next();
        }

        /** Sends a request and returns its answer (requests here are answered in order: one at a time). */
        JsonNode request(String requestJson) throws InterruptedException {
            int id = ids.incrementAndGet();
            send("{\"type\":\"request\",\"request_id\":" + id + ",\"request\":" + requestJson + "}");
            JsonNode m = next();
            assertThat(m.path("request_id").asInt()).isEqualTo(id);
            return m;
        }

        JsonNode execute(int stream, String sql) throws InterruptedException {
            return request("{\"type\":\"execute\",\"stream_id\":" + stream + ",\"stmt\":{\"sql\":\"" + sql + "\"}}");
        }

        int closeCode() {
            return closed.orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    static JsonNode ok(JsonNode m) {
        assertThat(m.path("type").asString()).as(m.toString()).isEqualTo("response_ok");
        return m.path("response");
    }

    static String errorCode(JsonNode m) {
        assertThat(m.path("type").asString()).as(m.toString()).isEqualTo("response_error");
        return m.path("error").path("code").asString();
    }

    static void assertHealthy() throws Exception {
        assertThat(w.send("GET", "/actuator/health", null, null, null).statusCode()).isEqualTo(200);
        assertThat(w.exec(w.token(db), "SELECT count(*) FROM t").has("cols")).isTrue();
    }

    @Test
    void theProtocolOverHrana3() throws Exception {
        Client c = new Client("hrana3", "hrana2");
        assertThat(c.ws.getSubprotocol()).isEqualTo("hrana3");
        assertThat(c.hello(w.token(db)).path("type").asString()).isEqualTo("hello_ok");
        assertThat(ok(c.request("{\"type\":\"open_stream\",\"stream_id\":1}")).path("type").asString())
                .isEqualTo("open_stream");
        ok(c.execute(1, "CREATE TABLE p(id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
        JsonNode ins = ok(c.execute(1, "INSERT INTO p(v) VALUES ('a'), ('b')"));
        assertThat(ins.path("result").path("affected_row_count").asInt()).isEqualTo(2);
        ok(c.request("{\"type\":\"store_sql\",\"sql_id\":7,\"sql\":\"SELECT v FROM p ORDER BY id\"}"));
        JsonNode sel = ok(c.request("{\"type\":\"execute\",\"stream_id\":1,\"stmt\":{\"sql_id\":7}}"));
        assertThat(sel.path("result").path("rows").get(0).get(0).path("value").asString()).isEqualTo("a");
        JsonNode batch = ok(c.request("{\"type\":\"batch\",\"stream_id\":1,\"batch\":{\"steps\":["
                + "{\"stmt\":{\"sql\":\"SELECT 1\"}},{\"condition\":{\"type\":\"ok\",\"step\":0},"
                + "\"stmt\":{\"sql\":\"SELECT nope\"}}]}}"));
        assertThat(batch.path("result").path("step_errors").get(1).path("code").asString()).isEqualTo("SQLITE_ERROR");
        ok(c.request("{\"type\":\"sequence\",\"stream_id\":1,\"sql\":\"BEGIN; INSERT INTO p(v) VALUES ('c');\"}"));
        assertThat(ok(c.request("{\"type\":\"get_autocommit\",\"stream_id\":1}")).path("is_autocommit").asBoolean())
                .isFalse();
        // a second stream of the same connection does not see the uncommitted row
        ok(c.request("{\"type\":\"open_stream\",\"stream_id\":2}"));
        JsonNode other = ok(c.execute(2, "SELECT count(*) FROM p"));
        assertThat(other.path("result").path("rows").get(0).get(0).path("value").asString()).isEqualTo("2");
        ok(c.execute(1, "COMMIT"));
        JsonNode d = ok(c.request("{\"type\":\"describe\",\"stream_id\":1,\"sql\":\"SELECT v FROM p WHERE id = ?\"}"));
        assertThat(d.path("result").path("params")).hasSize(1);
        // Hrana 3 cursor: the entries of a batch, in pages
        ok(c.request("{\"type\":\"open_cursor\",\"stream_id\":1,\"cursor_id\":3,\"batch\":{\"steps\":["
                + "{\"stmt\":{\"sql\":\"SELECT v FROM p ORDER BY id\"}}]}}"));
        JsonNode page = ok(c.request("{\"type\":\"fetch_cursor\",\"cursor_id\":3,\"max_count\":2}"));
        assertThat(page.path("entries")).hasSize(2);
        assertThat(page.path("done").asBoolean()).isFalse();
        JsonNode rest = ok(c.request("{\"type\":\"fetch_cursor\",\"cursor_id\":3,\"max_count\":100}"));
        assertThat(rest.path("entries")).hasSize(3); // two rows and step_end
        assertThat(rest.path("done").asBoolean()).isTrue();
        ok(c.request("{\"type\":\"close_cursor\",\"cursor_id\":3}"));
        // statement errors carry the codes HTTP gives
        assertThat(errorCode(c.execute(1, "INSERT INTO p(id, v) VALUES (1, 'dup')"))).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(errorCode(c.execute(1, "ATTACH 'x.db' AS x"))).isEqualTo("SQL_NOT_ALLOWED");
        ok(c.request("{\"type\":\"close_sql\",\"sql_id\":7}"));
        ok(c.request("{\"type\":\"close_stream\",\"stream_id\":1}"));
        ok(c.request("{\"type\":\"close_stream\",\"stream_id\":2}"));
        c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        assertThat(c.closeCode()).isEqualTo(1000);
        await().until(() -> w.ctx.getBean(HranaService.class).openStreams() == 0);
    }

    @Test
    void subprotocolsHrana2AndNone() throws Exception {
        Client v2 = new Client("hrana2");
        assertThat(v2.ws.getSubprotocol()).isEqualTo("hrana2");
        assertThat(v2.hello(w.token(db)).path("type").asString()).isEqualTo("hello_ok");
        Client none = new Client();
        assertThat(none.ws.getSubprotocol()).isEmpty(); // Hrana 1
        assertThat(none.hello(w.token(db)).path("type").asString()).isEqualTo("hello_ok");
        ok(none.request("{\"type\":\"open_stream\",\"stream_id\":1}"));
        assertThat(ok(none.execute(1, "SELECT 42")).path("result").path("rows").get(0).get(0).path("value")
                .asString()).isEqualTo("42");
        v2.ws.abort();
        none.ws.abort();
    }

    @Test
    void aReadOnlyTokenCannotWrite() throws Exception {
        Client c = new Client("hrana3");
        c.hello(w.roToken(db));
        ok(c.request("{\"type\":\"open_stream\",\"stream_id\":1}"));
        assertThat(errorCode(c.execute(1, "INSERT INTO t(v) VALUES ('ro')"))).isEqualTo("PERMISSION_DENIED");
        ok(c.execute(1, "SELECT 1"));
        c.ws.abort();
    }

    @Test
    void requestsBeforeHelloCloseTheConnection() throws Exception {
        Client c = new Client("hrana3");
        c.send("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}");
        assertThat(c.closeCode()).isEqualTo(1002);
        assertHealthy();
    }

    @Test
    void aBadTokenGetsHelloError() throws Exception {
        Client c = new Client("hrana3");
        JsonNode m = c.hello("not.a.token");
        assertThat(m.path("type").asString()).isEqualTo("hello_error");
        assertThat(m.path("error").path("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(c.closeCode()).isEqualTo(1008);
        Client none = new Client("hrana3");
        assertThat(none.hello(null).path("error").path("code").asString()).isEqualTo("UNAUTHORIZED");
        String expired = Worker.token(w.keys.get(db).getPrivate(), db, "rw", System.currentTimeMillis() / 1000 - 60,
                UUID.randomUUID().toString());
        Client late = new Client("hrana3");
        assertThat(late.hello(expired).path("error").path("code").asString()).isEqualTo("UNAUTHORIZED");
        assertHealthy();
    }

    @Test
    void anExpiringTokenEndsAccessAndAFreshHelloRestoresIt() throws Exception {
        String soon = Worker.token(w.keys.get(db).getPrivate(), db, "rw", System.currentTimeMillis() / 1000 + 2,
                UUID.randomUUID().toString());
        Client c = new Client("hrana3");
        assertThat(c.hello(soon).path("type").asString()).isEqualTo("hello_ok");
        ok(c.request("{\"type\":\"open_stream\",\"stream_id\":1}"));
        ok(c.execute(1, "BEGIN"));
        // keeps the connection busy (below the idle timeout) until the token has expired
        await().pollInterval(Duration.ofMillis(500)).atMost(Duration.ofSeconds(20))
                .until(() -> c.request("{\"type\":\"get_autocommit\",\"stream_id\":1}").path("type").asString()
                        .equals("response_error"));
        JsonNode denied = c.execute(1, "SELECT 1");
        assertThat(errorCode(denied)).isEqualTo("UNAUTHORIZED");
        // a fresh token: access again; the old streams were closed (their transaction rolled back)
        assertThat(c.hello(w.token(db)).path("type").asString()).isEqualTo("hello_ok");
        assertThat(errorCode(c.execute(1, "SELECT 1"))).isEqualTo("HRANA_PROTO_ERROR");
        ok(c.request("{\"type\":\"open_stream\",\"stream_id\":1}"));
        ok(c.execute(1, "SELECT 1"));
        c.ws.abort();
    }

    @Test
    void aRevokedTokenEndsAccessOnTheNextRequest() throws Exception {
        String id = w.createDatabase("wsrevoke", "acme");
        String jti = UUID.randomUUID().toString();
        String token = Worker.token(w.keys.get(id).getPrivate(), id, "rw", null, jti);
        Client c = new Client("hrana3");
        c.hello(token);
        ok(c.request("{\"type\":\"open_stream\",\"stream_id\":1}"));
        ok(c.execute(1, "SELECT 1"));
        w.createDatabase(id, "wsrevoke", "acme", 0, List.of(jti));
        assertThat(errorCode(c.execute(1, "SELECT 1"))).isEqualTo("UNAUTHORIZED");
        c.ws.abort();
    }

    @Test
    void limitsAreTypedErrors() throws Exception {
        Client c = new Client("hrana3");
        c.hello(w.token(db));
        for (int i = 1; i <= 4; i++) {
            ok(c.request("{\"type\":\"open_stream\",\"stream_id\":" + i + "}"));
        }
        assertThat(errorCode(c.request("{\"type\":\"open_stream\",\"stream_id\":5}"))).isEqualTo("TOO_MANY_STREAMS");
        assertThat(errorCode(c.request("{\"type\":\"open_stream\",\"stream_id\":1}"))).isEqualTo("HRANA_PROTO_ERROR");
        // an unknown stream is an error of that request only
        assertThat(errorCode(c.execute(99, "SELECT 1"))).isEqualTo("HRANA_PROTO_ERROR");
        assertThat(errorCode(c.request("{\"type\":\"frobnicate\"}"))).isEqualTo("HRANA_PROTO_ERROR");
        ok(c.execute(4, "SELECT 1"));
        // connections per token
        String token = w.token(db);
        Client a = new Client("hrana3");
        Client b = new Client("hrana3");
        Client third = new Client("hrana3");
        assertThat(a.hello(token).path("type").asString()).isEqualTo("hello_ok");
        assertThat(b.hello(token).path("type").asString()).isEqualTo("hello_ok");
        assertThat(third.hello(token).path("error").path("code").asString()).isEqualTo("TOO_MANY_CONNECTIONS");
        assertThat(third.closeCode()).isEqualTo(1008);
        // oversized message: the connection ends with 1009, the worker goes on
        c.send("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                + "\"stmt\":{\"sql\":\"SELECT '" + "x".repeat(70_000) + "'\"}}}");
        assertThat(c.closeCode()).isEqualTo(1009);
        a.ws.abort();
        b.ws.abort();
        assertHealthy();
    }

    @Test
    void garbageClosesTheConnection() throws Exception {
        for (String garbage : List.of("{", "[]", "null", "{\"type\":\"request\"}", "{\"type\":42}", "\u0000")) {
            Client c = new Client("hrana3");
            c.hello(w.token(db));
            c.send(garbage);
            assertThat(c.closeCode()).as(garbage).isEqualTo(1002);
        }
        Client bin = new Client("hrana3");
        bin.ws.sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), true).join();
        assertThat(bin.closeCode()).isEqualTo(1002);
        assertHealthy();
    }

    @Test
    void idleConnectionsAreClosedAndTheirTransactionsRolledBack() throws Exception {
        Client c = new Client("hrana3");
        c.hello(w.token(db));
        ok(c.request("{\"type\":\"open_stream\",\"stream_id\":1}"));
        ok(c.execute(1, "BEGIN IMMEDIATE"));
        assertThat(c.closeCode()).isEqualTo(1001);
        // the writer is free again
        assertThat(w.exec(w.token(db), "INSERT INTO t(v) VALUES ('after idle')").has("cols")).isTrue();
    }

    static int running() {
        AtomicInteger n = new AtomicInteger();
        w.ctx.getBean(DatabaseRegistry.class).visitRunning(0, (conn, who) -> n.incrementAndGet());
        return n.get();
    }

    @Test
    void closingTheSocketInterruptsItsStatements() throws Exception {
        String endless = "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c";
        for (boolean abort : new boolean[] {true, false}) {
            Client c = new Client("hrana3");
            c.hello(w.token(db));
            c.send("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}");
            c.send("{\"type\":\"request\",\"request_id\":2,\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                    + "\"stmt\":{\"sql\":\"" + endless + "\"}}}");
            await().until(() -> running() == 1);
            if (abort) {
                c.ws.abort();
            } else {
                c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> running() == 0);
        }
        await().until(() -> w.ctx.getBean(HranaService.class).openStreams() == 0);
        assertHealthy();
    }
}
