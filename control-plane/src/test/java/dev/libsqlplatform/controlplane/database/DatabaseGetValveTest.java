package dev.libsqlplatform.controlplane.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Supplier;

import dev.libsqlplatform.controlplane.support.Http;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link DatabaseGetValve}: every request is sent twice over a raw socket, once with the fast path on and once off
 * (the normal filters and Spring MVC), and the two answers must be the same bytes apart from the {@code Date} header:
 * status line, every header in order, framing and body. Requests the fast path must take move its counter by one;
 * the others must not move it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DatabaseGetValveTest {

    static final String TOKEN = "fast-get-admin-token";
    static final String DBS = "/v1/organizations/default/databases";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) throws IOException {
        r.add("platform.data-dir", Files.createTempDirectory("cp-fast-get")::toString);
        r.add("platform.admin-token", () -> TOKEN);
        r.add("platform.service-secret", () -> "fast-get-secret");
    }

    @LocalServerPort
    int port;

    @Autowired
    DatabaseGetFastPath fastPath;

    @Autowired
    MeterRegistry meters;

    Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port, TOKEN);
        fastPath.enabled(true);
        if (http.get(DBS + "/fast-one").status() == 404) {
            assertThat(http.post(DBS, "{\"name\":\"fast-one\"}").status()).isEqualTo(200);
        }
    }

    @Test
    void aDatabaseIsAnsweredByTheFastPathWithTheSameBytes() {
        String answer = same(get(DBS + "/fast-one", TOKEN), true);
        assertThat(answer).startsWith("HTTP/1.1 200 ").contains("\r\nContent-Length: ")
                .contains("\r\nX-Frame-Options: DENY\r\n").contains("\r\nCache-Control: no-cache, no-store")
                .contains("{\"database\":{\"Name\":\"fast-one\",");
        // the same request through java.net.http (Content-Length: 0, an h2c upgrade offer), taken too
        long before = fastPath.served();
        assertThat(http.get(DBS + "/fast-one").json().at("/database/Name").asString()).isEqualTo("fast-one");
        assertThat(fastPath.served()).isEqualTo(before + 1);
    }

    @Test
    void refusalsAreTheSameBytes() throws Exception {
        assertThat(same(get(DBS + "/no-such-db", TOKEN), true)).startsWith("HTTP/1.1 404 ").contains("database_not_found");
        assertThat(same(get("/v1/organizations/no-such-org/databases/fast-one", TOKEN), true))
                .startsWith("HTTP/1.1 404 ").contains("organization_not_found");
        assertThat(same(get(DBS + "/fast-one", "not-a-token"), true)).startsWith("HTTP/1.1 401 ").contains("unauthorized");

        // not a member of the organization: 403
        Http.Response user = http.post("/v1/users", "{\"username\":\"fast-outsider\",\"email\":\"o@example.com\"}");
        assertThat(user.status()).as(user.body()).isEqualTo(200);
        String outsider = user.json().get("token").asString();
        assertThat(same(get(DBS + "/fast-one", outsider), true)).startsWith("HTTP/1.1 403 ").contains("not_a_member");

        // a token bound to another organization: 403
        assertThat(http.post("/v1/organizations", "{\"name\":\"fast-other\"}").status()).isEqualTo(200);
        Http.Response minted = http.post("/v2/auth/api-tokens/fast-bound", "{\"organization\":\"fast-other\"}");
        assertThat(minted.status()).as(minted.body()).isEqualTo(200);
        String bound = minted.json().at("/token/value").asString();
        assertThat(same(get(DBS + "/fast-one", bound), true)).startsWith("HTTP/1.1 403 ")
                .contains("token_bound_to_organization");
    }

    @Test
    void aRevokedTokenIsRefusedAtItsNextRequest() {
        Http.Response minted = http.post("/v1/auth/api-tokens/fast-revoked", null);
        assertThat(minted.status()).as(minted.body()).isEqualTo(200);
        String token = minted.json().get("token").asString();
        assertThat(send(get(DBS + "/fast-one", token))).startsWith("HTTP/1.1 200 ");
        long before = fastPath.served();
        assertThat(http.delete("/v1/auth/api-tokens/fast-revoked").status()).isEqualTo(200);
        assertThat(send(get(DBS + "/fast-one", token))).startsWith("HTTP/1.1 401 ");
        assertThat(fastPath.served()).as("answered by the fast path").isEqualTo(before + 1);
    }

    @Test
    void anythingUnusualGoesToTheNormalPipelineUnchanged() {
        String auth = "Authorization: Bearer " + TOKEN + "\r\n";
        List<String> unusual = List.of(
                "GET " + DBS + "/fast-one\r\n",                                    // no Authorization
                "GET " + DBS + "/fast-one\r\nAuthorization: Basic YTpi\r\n",
                "GET " + DBS + "/fast-one\r\nAuthorization: Bearer \r\n",
                "GET " + DBS + "/fast-one?x=1\r\n" + auth,
                "GET " + DBS + "/fast-one/\r\n" + auth,
                "GET " + DBS + "/fast.one\r\n" + auth,
                "GET " + DBS + "/fast%2Done\r\n" + auth,
                "GET " + DBS + "/fast-one;x=1\r\n" + auth,
                "GET " + DBS + "/../databases/fast-one\r\n" + auth,
                "GET /v1/organizations//databases/fast-one\r\n" + auth,
                "GET /v1/organizations/-/databases/fast-one\r\n" + auth,
                "GET " + DBS + "/fast-one/configuration\r\n" + auth,
                "HEAD " + DBS + "/fast-one\r\n" + auth,
                "DELETE " + DBS + "/no-such-db\r\n" + auth,
                "OPTIONS " + DBS + "/fast-one\r\n" + auth + "Origin: http://example.com\r\nAccess-Control-Request-Method: GET\r\n",
                "GET " + DBS + "/fast-one\r\n" + auth + "Origin: http://example.com\r\n",
                "GET " + DBS + "/fast-one\r\n" + auth + "Accept: text/html\r\n",
                "GET " + DBS + "/fast-one\r\n" + auth + "Cookie: JSESSIONID=abc\r\n",
                "GET " + DBS + "/fast-one\r\n" + auth + "Content-Type: multipart/form-data; boundary=x\r\n",
                "GET " + DBS + "/fast-one\r\n" + auth + "X-Odd: caf\u00e9\r\n");
        for (String head : unusual) {
            String[] lines = head.split("\r\n", 2);
            String request = lines[0] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + lines[1] + "\r\n";
            same(request, false);
        }
        // a body
        same("GET " + DBS + "/fast-one HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + auth
                + "Content-Length: 2\r\n\r\n{}", false);
        // plain variants the fast path does take
        for (String extra : List.of("Accept: */*\r\n", "Accept: application/json\r\n", "User-Agent: turso-cli\r\n",
                "Content-Length: 0\r\n")) {
            same("GET " + DBS + "/fast-one HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + auth + extra + "\r\n", true);
        }
        same("GET " + DBS + "/fast-one HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "authorization: bEaReR   " + TOKEN + "  \r\n\r\n", true);
    }

    @Test
    void theRequestMetricIsRecordedAsTheNormalPipelineRecordsIt() {
        Supplier<Long> ok = () -> count("200", DatabaseGetFastPath.URI_TEMPLATE, "SUCCESS");
        Supplier<Long> missing = () -> count("404", DatabaseGetFastPath.URI_TEMPLATE, "CLIENT_ERROR");
        Supplier<Long> unauthorized = () -> count("401", "UNKNOWN", "CLIENT_ERROR");
        for (boolean on : new boolean[]{true, false}) {
            fastPath.enabled(on);
            long served = fastPath.served();
            // the counts as of now, once the earlier tests' requests (recorded after their answers) have all landed
            long a = settled(ok);
            long b = settled(missing);
            long c = settled(unauthorized);
            send(get(DBS + "/fast-one", TOKEN));
            send(get(DBS + "/no-such-db", TOKEN));
            send(get(DBS + "/fast-one", "not-a-token"));
            // both paths record once the answer is written, which may be after the client has it
            eventually(() -> {
                assertThat(ok.get()).as("fast path " + on).isEqualTo(a + 1);
                assertThat(missing.get()).as("fast path " + on).isEqualTo(b + 1);
                assertThat(unauthorized.get()).as("fast path " + on).isEqualTo(c + 1);
            });
            assertThat(fastPath.served()).isEqualTo(served + (on ? 3 : 0));
        }
        fastPath.enabled(true);
    }

    /** The value once it has not changed for 300 ms (at most 5 s). */
    static long settled(Supplier<Long> count) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long value = count.get();
        long since = System.nanoTime();
        while (System.nanoTime() - since < 300_000_000L && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            long now = count.get();
            if (now != value) {
                value = now;
                since = System.nanoTime();
            }
        }
        return value;
    }

    static void eventually(Runnable check) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException ie) {
                    throw new IllegalStateException(ie);
                }
            }
        }
    }

    private long count(String status, String uri, String outcome) {
        Timer t = meters.find("http.server.requests").tag("method", "GET").tag("status", status).tag("uri", uri)
                .tag("outcome", outcome).tag("error", "none").tag("exception", "none").timer();
        return t == null ? 0 : t.count();
    }

    static String get(String path, String token) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nConnection: close\r\n\r\n";
    }

    /**
     * The answer to {@code request} with the fast path on, after checking that it is byte for byte the answer with it
     * off (Date aside) and that the fast path took it exactly when {@code taken}.
     */
    String same(String request, boolean taken) {
        long before = fastPath.served();
        String fast;
        String normal;
        try {
            fastPath.enabled(true);
            fast = send(request);
            assertThat(fastPath.served()).as("taken by the fast path: " + request).isEqualTo(before + (taken ? 1 : 0));
            fastPath.enabled(false);
            normal = send(request);
            assertThat(fastPath.served()).isEqualTo(before + (taken ? 1 : 0));
        } finally {
            fastPath.enabled(true);
        }
        assertThat(fast).as(request).isEqualTo(normal);
        return fast;
    }

    /** The whole answer as sent (the connection is closed by the server after it), without its Date header. */
    String send(String request) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.ISO_8859_1).replaceFirst("\r\nDate: [^\r]*", "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
