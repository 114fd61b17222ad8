package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Set-up calls of the matrices through the Platform API of one running platform; each must answer 200. */
final class ApiFixtures {

    private final Platform platform;

    ApiFixtures(Platform platform) {
        this.platform = platform;
    }

    String cp(String path) {
        return platform.controlPlaneUrl() + path;
    }

    Http.Answer call(String bearer, String method, String path, Object body) throws Exception {
        return Http.send(method, cp(path), bearer, null, body);
    }

    JsonNode ok(String bearer, String method, String path, Object body) throws Exception {
        Http.Answer a = call(bearer, method, path, body);
        assertEquals(200, a.status(), () -> "set-up call failed: " + a + "\n" + platform.logTails(40));
        return a.json();
    }

    /** {@code POST /v1/users} as the bootstrap admin; returns the new user's Platform API token. */
    String createUser(String username) throws Exception {
        JsonNode r = ok(platform.adminToken(), "POST", "/v1/users",
                Map.of("username", username, "email", username + "@e2e.test"));
        String token = r.path("token").asString();
        assertTrue(token != null && !token.isEmpty(), "POST /v1/users gave no token: " + r);
        assertEquals(username, r.path("user").path("username").asString(), r.toString());
        return token;
    }

    /** {@code POST /v1/organizations {"name"}}: the caller becomes its owner. */
    void createOrganization(String bearer, String slug) throws Exception {
        JsonNode r = ok(bearer, "POST", "/v1/organizations", Map.of("name", slug));
        assertEquals(slug, r.path("org").path("slug").asString(), r.toString());
    }

    void addMember(String bearer, String org, String username, String role) throws Exception {
        ok(bearer, "POST", "/v1/organizations/" + org + "/members", Map.of("username", username, "role", role));
    }

    void createDatabase(String bearer, String org, String name) throws Exception {
        ok(bearer, "POST", "/v1/organizations/" + org + "/databases", Map.of("name", name, "group", "default"));
    }

    /** {@code POST .../databases/{db}/auth/tokens?query} with an optional JSON body; returns the JWT. */
    String mint(String bearer, String org, String db, String query, Object body) throws Exception {
        String path = "/v1/organizations/" + org + "/databases/" + db + "/auth/tokens"
                + (query == null || query.isEmpty() ? "" : "?" + query);
        return ok(bearer, "POST", path, body).path("jwt").asString();
    }

    /** Polls {@code check} until it answers null (success) or {@code timeout} passes; returns the last complaint. */
    static String await(Duration timeout, Check check) {
        return Waits.until(timeout, Duration.ofMillis(100), check::problem);
    }

    @FunctionalInterface
    interface Check {
        /** null when satisfied, else what is still wrong. */
        String problem() throws Exception;
    }
}
