package dev.libsqlplatform.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Plain HTTP/1.1 calls with JSON bodies for the Java-side matrices: the Platform API with any bearer, and Hrana
 * pipelines to the worker with an optional {@code Host} header (needs
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host}, set in the failsafe argLine).
 */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    private Http() {
    }

    /** One answer: status, Content-Type, body text and the body parsed as JSON (null when it is not JSON). */
    record Answer(String method, String url, int status, String contentType, String text, JsonNode json) {

        String field(String name) {
            JsonNode n = json == null ? null : json.get(name);
            return n == null || n.isNull() ? null : n.asString();
        }

        @Override
        public String toString() {
            return method + " " + url + " → " + status + " " + (text.length() > 400 ? text.substring(0, 400) + "…" : text);
        }
    }

    /**
     * @param bearer null: no Authorization header
     * @param host   null: the URL's own host
     * @param body   null: no body; a String is sent as is, anything else as JSON
     */
    static Answer send(String method, String url, String bearer, String host, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (host != null) {
            b.header("Host", host);
        }
        if (body != null) {
            String text = body instanceof String s ? s : JSON.writeValueAsString(body);
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(text));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonNode json = null;
        try {
            json = r.body().isEmpty() ? null : JSON.readTree(r.body());
        } catch (RuntimeException notJson) {
            json = null;
        }
        return new Answer(method, url, r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                json);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** The JSON payload (second part) of a compact JWS. */
    static ObjectNode jwtPayload(String jwt) {
        String[] parts = jwt.split("\\.");
        return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }

    static String b64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
