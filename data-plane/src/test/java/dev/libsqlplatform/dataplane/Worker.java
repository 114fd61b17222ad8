package dev.libsqlplatform.dataplane;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real worker process-in-JVM on a free port over a temp data dir, plus helpers to talk to it. */
final class Worker implements AutoCloseable {
    static final String SECRET = "test-service-secret";
    static final JsonMapper JSON = JsonMapper.builder().build();

    final Path dataDir;
    final ConfigurableApplicationContext ctx;
    final int port;
    final HttpClient http = HttpClient.newHttpClient();
    final Map<String, KeyPair> keys = new LinkedHashMap<>();

    Worker(Path dataDir, String... extraProps) {
        this.dataDir = dataDir;
        List<String> props = new ArrayList<>(List.of(
                "server.port=0",
                "platform.worker.data-dir=" + dataDir,
                "platform.service-secret=" + SECRET,
                "platform.worker.control-plane-url=http://127.0.0.1:9",
                "platform.worker.heartbeat-interval=60s",
                "platform.worker.busy-timeout=5s",
                "spring.main.banner-mode=off",
                "logging.level.root=WARN"));
        // an extra property replaces the default of the same name (duplicated arguments would become a list)
        for (String extra : extraProps) {
            String name = extra.substring(0, extra.indexOf('=') + 1);
            props.removeIf(p -> p.startsWith(name));
            props.add(extra);
        }
        // command-line arguments: they win over application.yaml (builder "properties" are only defaults)
        this.ctx = new SpringApplicationBuilder(DataPlaneApplication.class)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        this.port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Creates (PUT) a database with a fresh key pair; returns its id. */
    String createDatabase(String name, String org) throws Exception {
        return createDatabase(UUID.randomUUID().toString(), name, org, 0, List.of());
    }

    String createDatabase(String id, String name, String org, long maxBytes, List<String> revoked) throws Exception {
        KeyPair kp = keys.computeIfAbsent(id, k -> newKeyPair());
        String body = "{\"name\":\"" + name + "\",\"organization\":\"" + org + "\",\"maxBytes\":" + maxBytes
                + ",\"keys\":[{\"kid\":\"k1\",\"publicKey\":\"" + rawPublicKey(kp) + "\"}],\"revokedTokenIds\":"
                + JSON.writeValueAsString(revoked) + ",\"blockReads\":false,\"blockWrites\":false}";
        HttpResponse<String> r = send("PUT", "/internal/v1/databases/" + id, body, "Bearer " + SECRET, null);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("PUT failed: " + r.statusCode() + " " + r.body());
        }
        return id;
    }

    /** PUT /internal/v1/databases/{id} with a raw JSON body; fails unless 200. */
    void put(String id, String jsonBody) throws Exception {
        HttpResponse<String> r = send("PUT", "/internal/v1/databases/" + id, jsonBody, "Bearer " + SECRET, null);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("PUT failed: " + r.statusCode() + " " + r.body());
        }
    }

    /** A compact JWS over any payload, signed with Ed25519. */
    static String sign(PrivateKey key, String kid, String payloadJson) {
        try {
            Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
            String header = kid == null ? "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}"
                    : "{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}";
            String input = enc.encodeToString(header.getBytes(StandardCharsets.UTF_8))
                    + "." + enc.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + enc.encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String rawPublicKey(KeyPair kp) {
        byte[] der = kp.getPublic().getEncoded();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(der, der.length - 32, der.length));
    }

    String token(String dbId) {
        return token(keys.get(dbId).getPrivate(), dbId, "rw", null, UUID.randomUUID().toString());
    }

    String roToken(String dbId) {
        return token(keys.get(dbId).getPrivate(), dbId, "ro", null, UUID.randomUUID().toString());
    }

    static String token(PrivateKey key, String id, String access, Long exp, String jti) {
        try {
            StringBuilder payload = new StringBuilder("{\"a\":\"" + access + "\"");
            if (exp != null) {
                payload.append(",\"exp\":").append(exp);
            }
            payload.append(",\"iat\":").append(System.currentTimeMillis() / 1000);
            if (id != null) {
                payload.append(",\"id\":\"").append(id).append('"');
            }
            payload.append(",\"jti\":\"").append(jti).append("\"}");
            Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
            String input = enc.encodeToString("{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8))
                    + "." + enc.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + enc.encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> send(String method, String path, String body, String authorization, String host)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (host != null) {
            b.header("Host", host);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST /v2/pipeline with a token; returns the raw response. */
    HttpResponse<String> pipelineRaw(String token, String body) throws Exception {
        return send("POST", "/v2/pipeline", body, token == null ? null : "Bearer " + token, null);
    }

    JsonNode pipeline(String token, String body) throws Exception {
        HttpResponse<String> r = pipelineRaw(token, body);
        if (r.statusCode() != 200) {
            throw new AssertionError("HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Runs one statement (execute + close) and returns the execute result node (or the error node). */
    JsonNode exec(String token, String sql, String... argsJson) throws Exception {
        String args = argsJson.length == 0 ? "" : ",\"args\":[" + String.join(",", argsJson) + "]";
        JsonNode resp = pipeline(token, "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":"
                + JSON.writeValueAsString(sql) + args + "}},{\"type\":\"close\"}]}");
        JsonNode first = resp.get("results").get(0);
        return first.get("type").asString().equals("ok") ? first.get("response").get("result") : first.get("error");
    }

    static String stmtReq(String sql) {
        return "{\"type\":\"execute\",\"stmt\":{\"sql\":" + JSON.writeValueAsString(sql) + "}}";
    }

    @Override
    public void close() {
        ctx.close();
    }
}
