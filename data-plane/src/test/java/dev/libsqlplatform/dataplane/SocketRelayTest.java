package dev.libsqlplatform.dataplane;

import static dev.libsqlplatform.dataplane.HranaWebSocketTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.dataplane.support.StandInRoutes;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Hrana over WebSocket reaching a worker that does not host the database: the connection is relayed to the worker
 * that does (as {@code @libsql/client}'s default {@code libsql://} URL behind one load-balanced address needs), the
 * protocol runs there unchanged, and a route to a down or silent worker ends in a typed error, not a hang.
 */
class SocketRelayTest {
    @TempDir
    static Path dirA;
    @TempDir
    static Path dirB;
    static Worker hosting;
    static Worker relaying;
    static StandInRoutes controlPlane;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        controlPlane = new StandInRoutes(Worker.SECRET);
        String cp = controlPlane.workerSetting();
        hosting = new Worker(dirA, cp, "platform.worker.id=hosting");
        relaying = new Worker(dirB, cp, "platform.worker.id=relaying",
                "platform.worker.forwarding.route-ttl=0s", "platform.worker.forwarding.missing-ttl=0s");
        db = hosting.createDatabase("relayed", "acme");
        relaying.keys.put(db, hosting.keys.get(db)); // tokens are minted for the hosting worker's keys
        controlPlane.routes.put(db, route(db, "hosting", "http://127.0.0.1:" + hosting.port, "up"));
        assertThat(hosting.exec(hosting.token(db), "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)").has("cols")).isTrue();
    }

    @AfterAll
    static void stop() {
        if (relaying != null) {
            relaying.close();
        }
        if (hosting != null) {
            hosting.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    static String route(String id, String worker, String url, String status) {
        return "{\"databaseId\":\"" + id + "\",\"label\":\"relayed-acme\",\"workerId\":\"" + worker + "\",\"workerUrl\":"
                + (url == null ? "null" : "\"" + url + "\"") + ",\"workerStatus\":\"" + status + "\"}";
    }

    @Test
    void theWholeProtocolRunsOnTheHostingWorkerThroughTheRelay() throws Exception {
        HranaWebSocketTest.Client c = new HranaWebSocketTest.Client(relaying.port, "hrana3", "hrana2");
        assertThat(c.ws.getSubprotocol()).isEqualTo("hrana3");
        // the hello and the requests sent right behind it, without waiting: they queue in the relay, in order
        c.send("{\"type\":\"hello\",\"jwt\":\"" + relaying.token(db) + "\"}");
        c.send("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}");
        c.send("{\"type\":\"request\",\"request_id\":2,\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                + "\"stmt\":{\"sql\":\"INSERT INTO t (v) VALUES ('through the relay')\"}}}");
        assertThat(c.next().path("type").asString()).isEqualTo("hello_ok");
        assertThat(c.next().path("request_id").asInt()).isEqualTo(1);
        assertThat(ok(c.next()).path("result").path("affected_row_count").asInt()).isEqualTo(1);
        c.ids.set(2);
        // a transaction across requests: the stream (and its baton-less state) lives on the hosting worker
        ok(c.execute(1, "BEGIN"));
        ok(c.execute(1, "INSERT INTO t (v) VALUES ('in a transaction')"));
        ok(c.execute(1, "COMMIT"));
        // a new hello with a fresh token (as clients refresh tokens) passes through
        assertThat(c.hello(relaying.token(db)).path("type").asString()).isEqualTo("hello_ok");
        JsonNode rows = ok(c.execute(1, "SELECT v FROM t ORDER BY id")).path("result").path("rows");
        assertThat(rows.toString()).contains("through the relay", "in a transaction");
        c.ws.sendClose(1000, "bye").join();
        assertThat(c.closeCode()).isEqualTo(1000);

        // written on the hosting worker, not on the relaying one
        assertThat(hosting.exec(hosting.token(db), "SELECT count(*) FROM t").path("rows").get(0).get(0).path("value")
                .asString()).isEqualTo("2");
        assertThat(relaying.dataDir.resolve("dbs").resolve(db)).doesNotExist();
        String metrics = relaying.send("GET", "/actuator/prometheus", null, null, null).body();
        assertThat(metrics).contains("worker_forwarded_requests_total{outcome=\"forwarded\",worker=\"hosting\"}");
    }

    @Test
    void aDatabaseNobodyHostsIsRefusedAsUnknown() throws Exception {
        HranaWebSocketTest.Client c = new HranaWebSocketTest.Client(relaying.port, "hrana3");
        String stranger = Worker.token(Worker.newKeyPair().getPrivate(), "no-such-database", "rw", null, "j");
        JsonNode hello = c.hello(stranger);
        assertThat(hello.path("type").asString()).isEqualTo("hello_error");
        assertThat(hello.path("error").path("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(c.closeCode()).isEqualTo(1008);
    }

    @Test
    void aDatabaseOnADownWorkerIsUnavailable() throws Exception {
        String id = "on-a-down-worker";
        controlPlane.routes.put(id, route(id, "gone", "http://127.0.0.1:9", "down"));
        HranaWebSocketTest.Client c = new HranaWebSocketTest.Client(relaying.port, "hrana3");
        JsonNode hello = c.hello(Worker.token(Worker.newKeyPair().getPrivate(), id, "rw", null, "j"));
        assertThat(hello.path("type").asString()).isEqualTo("hello_error");
        assertThat(hello.path("error").path("code").asString()).isEqualTo("DATABASE_UNAVAILABLE");
    }

    @Test
    void aHostingWorkerThatDoesNotAnswerEndsInATypedErrorNotAHang() throws Exception {
        String id = "on-a-silent-worker";
        int nobody;
        try (ServerSocket s = new ServerSocket(0)) {
            nobody = s.getLocalPort(); // free again: nothing listens there
        }
        controlPlane.routes.put(id, route(id, "silent", "http://127.0.0.1:" + nobody, "up"));
        HranaWebSocketTest.Client c = new HranaWebSocketTest.Client(relaying.port, "hrana3");
        c.send("{\"type\":\"hello\",\"jwt\":\"" + Worker.token(Worker.newKeyPair().getPrivate(), id, "rw", null, "j")
                + "\"}");
        JsonNode hello = c.messages.poll(20, TimeUnit.SECONDS);
        assertThat(hello).isNotNull();
        assertThat(hello.path("type").asString()).isEqualTo("hello_error");
        assertThat(hello.path("error").path("code").asString()).isEqualTo("DATABASE_UNAVAILABLE");
        assertThat(c.closeCode()).isEqualTo(1001);
        // the relaying worker is fine
        assertThat(relaying.send("GET", "/actuator/health", null, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aClientCannotForgeTheRelayHeaders() throws Exception {
        // only the service secret makes a connection "relayed" (answered where it lands, with the named address and
        // Host): a guessed one is ignored, so this connection is still relayed to the hosting worker
        HranaWebSocketTest.Client c = new HranaWebSocketTest.Client(relaying.port, Map.of(InternalApi.FORWARDED_BY,
                "guessed", InternalApi.FORWARDED_FOR, "10.9.9.9", InternalApi.FORWARDED_HOST, "x-acme.example"), "hrana3");
        assertThat(c.hello(relaying.token(db)).path("type").asString()).isEqualTo("hello_ok");
        ok(c.request("{\"type\":\"open_stream\",\"stream_id\":1}"));
        assertThat(ok(c.execute(1, "SELECT 41 + 1")).path("result").path("rows").get(0).get(0).path("value").asString())
                .isEqualTo("42");
        c.ws.abort();
    }
}
