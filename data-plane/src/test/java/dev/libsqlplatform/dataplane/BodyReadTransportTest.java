package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Bad and slow request bodies over raw sockets, through the SQL port's event-loop front with both Tomcat connectors the
 * worker supports behind it (NIO, the default, and NIO2) and with Tomcat alone on the port, on the Hrana pipeline path
 * (the front's, or the valve before Spring MVC) and on Spring MVC paths (legacy {@code POST /},
 * {@code /v3/cursor}, and the internal API's {@code @RequestBody}, which Spring reads itself). Each gets exactly one answer: the documented status with the project's
 * {@code {"message", "code"}} body (never Tomcat's error page, Spring's default error JSON, or a closed connection), and
 * afterwards the worker still serves and no request thread is left blocked in a body read.
 */
@Timeout(300) // hang guard: a stalled worker fails here instead of hanging the build
class BodyReadTransportTest {
    private static final int TIMEOUT_MS = 1000;
    private static final int MAX_BYTES = 256 * 1024;

    /** Tomcat's connector behind the SQL port's event-loop front (the default), and Tomcat alone on the port. */
    enum Connector {
        NIO("nio", "event-loop"), NIO2("nio2", "event-loop"), TOMCAT_ALONE("nio", "tomcat");

        final String connector;
        final String front;

        Connector(String connector, String front) {
            this.connector = connector;
            this.front = front;
        }
    }

    /** Where the body goes: the lean valve, or Spring MVC. Each with the opening of a valid body for it. */
    enum Route {
        VALVE_PIPELINE("POST", "/v2/pipeline", "{\"baton\":null,\"requests\":["),
        MVC_LEGACY("POST", "/", "{\"statements\":["),
        MVC_CURSOR("POST", "/v3/cursor", "{\"baton\":null,\"batch\":{\"steps\":["),
        /** The internal API (service secret), whose body Spring reads itself ({@code @RequestBody}). */
        MVC_REQUEST_BODY("PUT", "/internal/v1/databases/" + java.util.UUID.randomUUID(), "{\"name\":\"x\",\"keys\":[");

        final String method;
        final String path;
        final String opening;

        Route(String method, String path, String opening) {
            this.method = method;
            this.path = path;
            this.opening = opening;
        }
    }

    @TempDir
    static Path dir;
    static final Map<Connector, Worker> workers = new EnumMap<>(Connector.class);
    static final Map<Connector, String> tokens = new EnumMap<>(Connector.class);

    @BeforeAll
    static void start() throws Exception {
        for (Connector c : Connector.values()) {
            Worker w = new Worker(dir.resolve(c.name()),
                    "platform.worker.http.connector=" + c.connector, "platform.worker.http.front=" + c.front,
                    "platform.worker.limits.body-read-timeout=" + TIMEOUT_MS + "ms",
                    "platform.worker.limits.max-request-bytes=256KB");
            workers.put(c, w);
            tokens.put(c, w.token(w.createDatabase("body", "org" + c.ordinal())));
        }
    }

    @AfterAll
    static void stop() {
        workers.values().forEach(Worker::close);
    }

    /** What a case expects: a status and code, or (null) no answer because the client is gone. */
    record Expect(Integer status, String code) {
    }

    interface Attack {
        /** Writes a request with a bad or slow body; returns what the worker must answer. */
        Expect send(Socket s, Route r, String head) throws Exception;
    }

    static Stream<Arguments> cases() {
        Map<String, Attack> attacks = new LinkedHashMap<>();
        attacks.put("stalled body, declared length <= 64 KiB", (s, r, head) -> {
            RawHttp.write(s, head + "Content-Length: 1000\r\n\r\n" + r.opening);
            return new Expect(408, "REQUEST_TIMEOUT");
        });
        attacks.put("stalled body, declared length > 64 KiB", (s, r, head) -> {
            RawHttp.write(s, head + "Content-Length: 100000\r\n\r\n" + r.opening + " ".repeat(70_000));
            return new Expect(408, "REQUEST_TIMEOUT");
        });
        attacks.put("trickled body past the deadline", (s, r, head) -> {
            RawHttp.write(s, head + "Content-Length: 1000\r\n\r\n" + r.opening);
            // a byte every 200 ms: no single read waits the timeout, the whole body takes longer than it
            for (int i = 0; i < 2 * TIMEOUT_MS / 200 && !answered(s); i++) {
                Thread.sleep(200);
                try {
                    RawHttp.write(s, " ");
                } catch (IOException e) {
                    break; // the worker answered and closed between the check and this byte: read the answer
                }
            }
            return new Expect(408, "REQUEST_TIMEOUT");
        });
        attacks.put("stalled chunked body", (s, r, head) -> {
            RawHttp.write(s, head + "Transfer-Encoding: chunked\r\n\r\n" + RawHttp.chunk(r.opening));
            return new Expect(408, "REQUEST_TIMEOUT");
        });
        attacks.put("malformed chunked encoding", (s, r, head) -> {
            RawHttp.write(s, head + "Transfer-Encoding: chunked\r\n\r\n" + RawHttp.chunk(r.opening) + "zz\r\nxyz\r\n");
            return new Expect(400, "BAD_REQUEST");
        });
        attacks.put("declared length over the limit", (s, r, head) -> {
            RawHttp.write(s, head + "Content-Length: " + (MAX_BYTES + 1) + "\r\n\r\n" + r.opening);
            return new Expect(413, "PAYLOAD_TOO_LARGE");
        });
        attacks.put("chunked body over the limit", (s, r, head) -> {
            // exactly one byte over, and no end chunk: everything sent is read, so closing after the answer is clean
            String pad = " ".repeat(MAX_BYTES + 1 - r.opening.length());
            RawHttp.write(s, head + "Transfer-Encoding: chunked\r\n\r\n" + RawHttp.chunk(r.opening) + RawHttp.chunk(pad));
            return new Expect(413, "PAYLOAD_TOO_LARGE");
        });
        attacks.put("body shorter than its declared length (client half-closes)", (s, r, head) -> {
            RawHttp.write(s, head + "Content-Length: 1000\r\n\r\n" + r.opening);
            s.shutdownOutput();
            return new Expect(400, "BAD_REQUEST");
        });
        attacks.put("client aborts mid-body", (s, r, head) -> {
            RawHttp.write(s, head + "Content-Length: 100000\r\n\r\n" + r.opening + " ".repeat(10_000));
            s.setSoLinger(true, 0); // a reset, not a clean close
            s.close();
            return new Expect(null, null);
        });
        List<Arguments> out = new ArrayList<>();
        for (Connector c : Connector.values()) {
            for (Route r : Route.values()) {
                attacks.forEach((name, a) -> out.add(Arguments.of(c, r, name, a)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("cases")
    void oneTypedJsonAnswerAndTheWorkerKeepsServing(Connector c, Route r, String name, Attack attack)
            throws Exception {
        Worker w = workers.get(c);
        try (Socket s = new Socket("127.0.0.1", w.port)) {
            s.setSoTimeout(10 * TIMEOUT_MS); // far past the deadline: a worker that never answers fails here
            String credential = r == Route.MVC_REQUEST_BODY ? Worker.SECRET : tokens.get(c);
            String head = r.method + " " + r.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + credential + "\r\nContent-Type: application/json\r\n";
            long start = System.nanoTime();
            Expect expect = attack.send(s, r, head);
            if (expect.status() != null) {
                RawHttp.Answer a = RawHttp.read(s, 10 * TIMEOUT_MS);
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(a.statusLine()).as("status line (body: %s)", a.body()).isNotNull();
                assertThat(a.status()).as("status, body %s", a.body()).isEqualTo(expect.status());
                assertThat(a.header("content-type")).as("content type").isEqualTo("application/json");
                JsonNode body = Worker.JSON.readTree(a.body());
                List<String> fields = new ArrayList<>(body.propertyNames());
                assertThat(fields).as("the project's error body, nothing else: %s", a.body())
                        .containsExactlyInAnyOrder("message", "code");
                assertThat(body.get("code").asString()).isEqualTo(expect.code());
                assertThat(body.get("message").asString()).isNotBlank();
                if (expect.status() == 408) {
                    assertThat(tookMs).as("answered near the deadline").isLessThan(3L * TIMEOUT_MS + 2000);
                }
                // one answer only: nothing follows it, and the connection is closed after a body error
                assertThat(a.rest()).as("bytes after the answer").isEmpty();
                assertThat(a.closed()).as("connection closed after the answer").isTrue();
                assertThat(a.header("connection")).as("the close announced: a client must not reuse it").isEqualTo("close");
            }
        }
        assertWorkerServes(w, c);
    }

    static Stream<Arguments> routes() {
        List<Arguments> out = new ArrayList<>();
        for (Connector c : Connector.values()) {
            for (Route r : Route.values()) {
                out.add(Arguments.of(c, r));
            }
        }
        return out.stream();
    }

    /**
     * A caller without valid credentials is refused from the headers: the worker never waits for its body, neither
     * before the answer nor after it.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routes")
    void noCredentialsNoWaitingForTheBody(Connector c, Route r) throws Exception {
        Worker w = workers.get(c);
        try (Socket s = new Socket("127.0.0.1", w.port)) {
            s.setSoTimeout(10 * TIMEOUT_MS);
            // announces a body it never sends
            RawHttp.write(s, r.method + " " + r.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer not-it\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + r.opening);
            // the answer, then the connection closes at once: nothing keeps a request thread draining the body that
            // never comes (Tomcat would wait its read timeout for it)
            // 1.5 s: generous for a close that follows the answer at once on a loaded machine, and still short of the
            // drain it replaces (Tomcat waits its read timeout, at least 2 s here)
            RawHttp.Answer a = RawHttp.read(s, TIMEOUT_MS * 3 / 2);
            assertThat(a.statusLine()).as("status line (body: %s)", a.body()).isNotNull();
            assertThat(a.status()).as("status, body %s", a.body()).isEqualTo(401);
            assertThat(Worker.JSON.readTree(a.body()).get("code").asString()).isEqualTo("UNAUTHORIZED");
            assertThat(a.closed()).as("connection closed right after the 401, not drained").isTrue();
            assertThat(a.header("connection")).as("the close announced: a client must not reuse it").isEqualTo("close");
        }
        assertWorkerServes(w, c);
    }

    /** Health, SQL on the same worker, and no request thread left waiting for a body. */
    private static void assertWorkerServes(Worker w, Connector c) throws Exception {
        assertThat(w.send("GET", "/actuator/health", null, null, null).statusCode()).isEqualTo(200);
        assertThat(w.exec(tokens.get(c), "SELECT 1").has("rows")).isTrue();
        await().atMost(Duration.ofMillis(3L * TIMEOUT_MS + 2000)).untilAsserted(() ->
                assertThat(threadsInBodyReads()).as("request threads still blocked in a body read").isEmpty());
    }

    private static List<String> threadsInBodyReads() {
        List<String> stuck = new ArrayList<>();
        Thread.getAllStackTraces().forEach((t, frames) -> {
            for (StackTraceElement f : frames) {
                if (f.getClassName().equals("org.apache.catalina.connector.InputBuffer")
                        && f.getMethodName().equals("realReadBytes")) {
                    stuck.add(t.getName());
                    return;
                }
            }
        });
        return stuck;
    }

    // ---- raw HTTP (RawHttp) ----

    /** Whether the worker has answered (or closed) already: a trickling client stops then. */
    private static boolean answered(Socket s) throws IOException {
        return s.getInputStream().available() > 0;
    }
}
