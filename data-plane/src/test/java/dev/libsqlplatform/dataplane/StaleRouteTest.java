package dev.libsqlplatform.dataplane;

import static dev.libsqlplatform.dataplane.HranaWebSocketTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.dataplane.support.StandInRoutes;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A worker whose cached route is stale because the database moved (issue 14): it forwards to the old host, which
 * answers the internal {@code 421 DATABASE_NOT_HERE} (only to a request carrying the service secret), and the
 * forwarding worker asks the control plane again and retries on the new host, over HTTP and for a WebSocket's first
 * hello. The client never sees 401 for its valid token because of the move.
 */
class StaleRouteTest {
    @TempDir
    static Path dirBefore;
    @TempDir
    static Path dirAfter;
    @TempDir
    static Path dirRelaying;
    /** Hosts each database before its move. */
    static Worker before;
    /** Hosts each database after its move. */
    static Worker after;
    /** Caches routes for an hour: it learns of a move only from the old host's answer. */
    static Worker relaying;
    static StandInRoutes controlPlane;

    @BeforeAll
    static void start() throws Exception {
        controlPlane = new StandInRoutes(Worker.SECRET);
        String cp = controlPlane.workerSetting();
        before = new Worker(dirBefore, cp, "platform.worker.id=before");
        after = new Worker(dirAfter, cp, "platform.worker.id=after");
        relaying = new Worker(dirRelaying, cp, "platform.worker.id=relaying",
                "platform.worker.forwarding.route-ttl=1h", "platform.worker.forwarding.missing-ttl=0s");
    }

    @AfterAll
    static void stop() {
        for (Worker w : new Worker[] {relaying, after, before}) {
            if (w != null) {
                w.close();
            }
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    static String route(String id, Worker w, String workerId) {
        return "{\"databaseId\":\"" + id + "\",\"label\":\"x-acme\",\"workerId\":\"" + workerId
                + "\",\"workerUrl\":\"http://127.0.0.1:" + w.port + "\",\"workerStatus\":\"up\"}";
    }

    /**
     * A database on {@code before}, used once through {@code relaying} (which caches its route), then moved: a copy
     * with one row {@code 'moved'} on {@code after}, the route switched, the old copy deleted. Returns its id.
     */
    static String movedBehindTheRelayingWorkersBack(String name) throws Exception {
        String db = before.createDatabase(name, "acme");
        relaying.keys.put(db, before.keys.get(db)); // tokens are minted for the database's keys
        after.keys.put(db, before.keys.get(db));
        controlPlane.routes.put(db, route(db, before, "before"));
        assertThat(relaying.exec(relaying.token(db), "CREATE TABLE t(v TEXT)").has("cols")).isTrue();

        after.createDatabase(db, name, "acme", 0, List.of());
        assertThat(after.exec(after.token(db), "CREATE TABLE t(v TEXT)").has("cols")).isTrue();
        assertThat(after.exec(after.token(db), "INSERT INTO t VALUES ('moved')").path("affected_row_count").asInt())
                .isEqualTo(1);
        controlPlane.routes.put(db, route(db, after, "after"));
        assertThat(before.send("DELETE", "/internal/v1/databases/" + db, null, "Bearer " + Worker.SECRET, null)
                .statusCode()).isEqualTo(200);
        return db;
    }

    @Test
    void anHttpRequestOnAStaleRouteIsRetriedOnTheNewHost() throws Exception {
        String db = movedBehindTheRelayingWorkersBack("over-http");
        HttpResponse<String> r = relaying.pipelineRaw(relaying.token(db),
                "{\"requests\":[" + Worker.stmtReq("SELECT v FROM t") + ",{\"type\":\"close\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("moved");
        // and the route is the new one now: the next request goes straight there
        assertThat(relaying.exec(relaying.token(db), "INSERT INTO t VALUES ('next')").path("affected_row_count")
                .asInt()).isEqualTo(1);
        assertThat(after.exec(after.token(db), "SELECT count(*) FROM t").path("rows").get(0).get(0).path("value")
                .asString()).isEqualTo("2");
        String metrics = relaying.send("GET", "/actuator/prometheus", null, null, null).body();
        assertThat(metrics).contains("worker_forwarded_requests_total{outcome=\"moved\",worker=\"before\"}");
        // sent on by the port's event loop itself, not passed to Tomcat first
        assertThat(metrics).containsPattern("worker_sql_front_requests_total\\{ran=\"forwarded\"\\} [1-9]");
    }

    @Test
    void aWebSocketHelloOnAStaleRouteIsRelayedToTheNewHostWithWhatFollowedIt() throws Exception {
        String db = movedBehindTheRelayingWorkersBack("over-websocket");
        HranaWebSocketTest.Client c = new HranaWebSocketTest.Client(relaying.port, "hrana3");
        // the hello and the requests right behind it, without waiting: all of them reach the new host, in order
        c.send("{\"type\":\"hello\",\"jwt\":\"" + relaying.token(db) + "\"}");
        c.send("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}");
        c.send("{\"type\":\"request\",\"request_id\":2,\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                + "\"stmt\":{\"sql\":\"SELECT v FROM t\"}}}");
        JsonNode hello = c.next();
        assertThat(hello.path("type").asString()).as(hello.toString()).isEqualTo("hello_ok");
        assertThat(c.next().path("request_id").asInt()).isEqualTo(1);
        assertThat(ok(c.next()).path("result").path("rows").toString()).contains("moved");
        c.ids.set(2);
        ok(c.execute(1, "INSERT INTO t VALUES ('through the relay')"));
        c.ws.sendClose(1000, "bye").join();
        assertThat(c.closeCode()).isEqualTo(1000);
        assertThat(after.exec(after.token(db), "SELECT count(*) FROM t").path("rows").get(0).get(0).path("value")
                .asString()).isEqualTo("2");
    }

    @Test
    void onlyARequestWithTheServiceSecretLearnsThatADatabaseIsNotHere() throws Exception {
        // a database this worker does not host and the control plane does not know (nothing to forward to)
        String nowhere = "not-hosted-anywhere";
        String token = Worker.token(Worker.newKeyPair().getPrivate(), nowhere, "rw", null, "j");
        String body = "{\"requests\":[" + Worker.stmtReq("SELECT 1") + "]}";
        // straight from a client, or with a guessed secret: as for any database this worker does not know
        for (Map<String, String> headers : List.of(Map.<String, String>of(),
                Map.of(InternalApi.FORWARDED_BY, "guessed", InternalApi.FORWARDED_FOR, "10.0.0.1"))) {
            HttpResponse<String> r = post(before, token, body, headers);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            assertThat(r.body()).contains("UNAUTHORIZED").doesNotContain("NOT_HERE");
        }
        // from a worker (the service secret): the typed answer, and nothing was executed
        HttpResponse<String> r = post(before, token, body, Map.of(InternalApi.FORWARDED_BY, Worker.SECRET));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(421);
        assertThat(r.body()).contains("DATABASE_NOT_HERE");
        // a database the worker does host keeps its 401 for a bad token, forwarded or not
        String here = before.createDatabase("still-here", "acme");
        String forged = Worker.token(Worker.newKeyPair().getPrivate(), here, "rw", null, "forged");
        HttpResponse<String> bad = post(before, forged, body, Map.of(InternalApi.FORWARDED_BY, Worker.SECRET));
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(401);
        // a WebSocket hello without the secret: 401 as for an unknown database
        HranaWebSocketTest.Client c = new HranaWebSocketTest.Client(before.port, "hrana3");
        JsonNode hello = c.hello(token);
        assertThat(hello.path("error").path("code").asString()).isEqualTo("UNAUTHORIZED");
        // with it: the typed refusal (what a relaying worker re-routes on)
        HranaWebSocketTest.Client relayed = new HranaWebSocketTest.Client(before.port,
                Map.of(InternalApi.FORWARDED_BY, Worker.SECRET), "hrana3");
        assertThat(relayed.hello(token).path("error").path("code").asString()).isEqualTo("DATABASE_NOT_HERE");
    }

    private static HttpResponse<String> post(Worker w, String token, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(w.url("/v2/pipeline")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return w.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
