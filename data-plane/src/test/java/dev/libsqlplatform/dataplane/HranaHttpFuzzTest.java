package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.dataplane.hrana.HranaFuzzInputs;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;

/**
 * Fuzzes a real worker over HTTP with a valid token: generated, mutated, deeply nested and random-byte bodies on
 * {@code /v2/pipeline}, {@code /v3/pipeline} (the Tomcat valve, with and without a Content-Length),
 * {@code /v3/cursor} and the legacy {@code POST /}, plus bad batons, unknown request types and invalid base64.
 * Property: never a 5xx; every error is the documented {@code {"message", "code"}}; the worker stays healthy.
 */
@AddLifecycleHook(FuzzBudget.class)
class HranaHttpFuzzTest {
    static Path dir;
    static Worker w;
    static String token;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("hrana-http-fuzz");
        // short waits: generated pipelines open transactions and leave streams behind on purpose
        w = new Worker(dir, "platform.worker.stream-idle-timeout=300ms", "platform.worker.busy-timeout=50ms");
        token = w.token(w.createDatabase("fuzz", "acme"));
    }

    @AfterContainer
    static void stop() throws Exception {
        if (w != null) {
            assertThat(w.send("GET", "/actuator/health", null, null, null).statusCode())
                    .as("the worker is healthy after the fuzzing").isEqualTo(200);
            w.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.oneOf(
                HranaFuzzInputs.pipelines().map(HranaFuzzInputs::toJson),
                HranaFuzzInputs.mutatedBodies(),
                HranaFuzzInputs.jsonSoup().map(HranaFuzzInputs::utf8),
                HranaFuzzInputs.deepBodies().map(HranaFuzzInputs::utf8),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64));
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.of("/v2/pipeline", "/v3/pipeline", "/v3/pipeline", "/v3/cursor", "/");
    }

    @Property(tries = 250)
    void neverA5xx(@ForAll("paths") String path, @ForAll("bodies") byte[] body, @ForAll boolean chunked) throws Exception {
        assertDocumented(send(path, body, chunked, "application/json"));
    }

    /** Batons the worker never issued, of any shape: {@code STREAM_EXPIRED} (400), never a 5xx. */
    @Property(tries = 60)
    void unknownBatonsAreStreamExpired(@ForAll("batons") String baton) throws Exception {
        String body = "{\"baton\":" + Worker.JSON.writeValueAsString(baton)
                + ",\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}}]}";
        HttpResponse<String> r = send("/v2/pipeline", body.getBytes(StandardCharsets.UTF_8), false, "application/json");
        assertDocumented(r);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Worker.JSON.readTree(r.body()).get("code").asString()).isEqualTo("STREAM_EXPIRED");
    }

    @Provide
    Arbitrary<String> batons() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(64).filter(s -> !s.isEmpty()),
                Arbitraries.strings().alpha().numeric().withChars("-_").ofLength(32),
                Arbitraries.of("\u0000", "..", "%00", "a".repeat(10_000), "null", " "));
    }

    /** Found by {@code SqlGuardFuzzTest}: this statement used to take the worker down with an OutOfMemoryError. */
    @Example
    void hugeParameterIndexIsAnSqliteError() throws Exception {
        JsonNode err = w.exec(token, "SELECT ?2147483647");
        assertThat(err.get("code").asString()).startsWith("SQLITE");
        assertThat(w.send("GET", "/actuator/health", null, null, null).statusCode()).isEqualTo(200);
    }

    /** Found by {@code HranaCodecFuzzTest}: a UCS-4 byte-order mark answered 500. */
    @Example
    void ucs4ByteOrderMarkIsAProtocolError() throws Exception {
        HttpResponse<String> r = send("/v2/pipeline", new byte[]{0, 0, (byte) 0xFF, (byte) 0xFE, '{', '}'}, false,
                "application/json");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Worker.JSON.readTree(r.body()).get("code").asString()).isEqualTo("HRANA_PROTO_ERROR");
    }

    HttpResponse<String> send(String path, byte[] body, boolean chunked, String contentType) throws Exception {
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest req = HttpRequest.newBuilder(URI.create(w.url(path)))
                .header("Authorization", "Bearer " + token).header("Content-Type", contentType)
                .POST(publisher).build();
        return w.http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    static void assertDocumented(HttpResponse<String> r) {
        assertThat(r.statusCode()).as("status of %s", r.body()).isLessThan(500);
        if (r.statusCode() >= 400) {
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode err = Worker.JSON.readTree(r.body());
            assertThat(err.get("message").isString()).as(r.body()).isTrue();
            assertThat(err.get("code").isString()).as(r.body()).isTrue();
        } else {
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }
}
