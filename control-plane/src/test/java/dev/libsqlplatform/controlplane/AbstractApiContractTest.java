package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.libsqlplatform.controlplane.apitoken.ApiTokenService;
import dev.libsqlplatform.controlplane.database.DatabaseRepository;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseKey;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseKeys;
import dev.libsqlplatform.controlplane.group.DbGroup;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.support.Http;
import dev.libsqlplatform.controlplane.user.User;
import dev.libsqlplatform.controlplane.user.UserService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Platform API contract over real HTTP, run against each metadata engine by the subclasses
 * ({@link SqliteApiTest}, {@link PostgresApiTest}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class AbstractApiContractTest {

    static final String ADMIN_TOKEN = "test-admin-token-" + UUID.randomUUID();
    static final String SERVICE_SECRET = "test-service-secret";

    @LocalServerPort
    int port;
    @Autowired
    UserService users;
    @Autowired
    OrganizationService organizations;
    @Autowired
    GroupService groups;
    @Autowired
    ApiTokenService apiTokens;
    @Autowired
    DatabaseRepository databaseRepository;
    @Autowired
    DatabaseKeys keys;
    @Autowired
    JdbcTemplate jdbc;

    Http http;

    static void commonProperties(org.springframework.test.context.DynamicPropertyRegistry r, java.nio.file.Path dataDir) {
        r.add("platform.data-dir", dataDir::toString);
        r.add("platform.admin-token", () -> ADMIN_TOKEN);
        r.add("platform.service-secret", () -> SERVICE_SECRET);
        r.add("platform.reconcile-interval", () -> "200ms");
        r.add("server.address", () -> "127.0.0.1");
    }

    @BeforeEach
    void client() {
        http = new Http(port, ADMIN_TOKEN);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A new organization owned by the admin, with its default group. */
    Organization newOrg() {
        User admin = users.findByUsername("admin").orElseThrow();
        Organization org = organizations.ensureOrganization(unique("org"), admin.id());
        groups.ensureDefault(org.id());
        return org;
    }

    @Test
    void userOrganizationAndLocationShapes() {
        assertThat(http.get("/v1/auth/validate").json().get("exp").asLong()).isEqualTo(-1);
        assertThat(http.get("/v1/auth/api-tokens/validate").json().get("exp").asLong()).isEqualTo(-1);
        assertThat(http.get("/v1/current-user").json().at("/user/username").asString()).isEqualTo("admin");
        assertThat(http.get("/v1/user").json().at("/user/username").asString()).isEqualTo("admin");

        JsonNode v2 = http.get("/v2/organizations").json().get("organizations");
        assertThat(v2.isArray()).isTrue();
        JsonNode v1 = http.get("/v1/organizations").json();
        assertThat(v1.isArray()).isTrue();
        assertThat(v1.toString()).contains("\"slug\":\"default\"");
        JsonNode org = http.get("/v1/organizations/default").json().get("organization");
        assertThat(org.get("type").asString()).isEqualTo("team");
        assertThat(org.get("plan_id").asString()).isEqualTo("starter");

        assertThat(http.get("/v1/locations").json().toString()).isEqualTo("{\"locations\":{\"local\":\"Local workers\"}}");
        JsonNode g = http.get("/v1/organizations/default/groups").json().at("/groups/0");
        assertThat(g.get("name").asString()).isEqualTo("default");
        assertThat(g.get("primary").asString()).isEqualTo("local");
        assertThat(http.get("/v1/organizations/default/groups/default").json().at("/group/uuid").asString()).isNotBlank();
    }

    @Test
    void databaseLifecycle() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug() + "/databases";
        Http.Response created = http.post(base, "{\"name\":\"lifecycle\",\"group\":\"default\",\"seed\":{\"type\":\"database\",\"value\":\"x\"},\"size_limit\":\"1gb\",\"location\":\"\"}");
        assertThat(created.status()).isEqualTo(200);
        JsonNode db = created.json().get("database");
        assertThat(db.get("Name").asString()).isEqualTo("lifecycle");
        assertThat(db.get("Hostname").asString()).isEqualTo("lifecycle-" + org.slug() + ".localhost");
        String id = db.get("DbId").asString();

        JsonNode got = http.get(base + "/lifecycle").json().get("database");
        assertThat(got.get("DbId").asString()).isEqualTo(id);
        assertThat(got.get("hostname").asString()).isEqualTo(got.get("Hostname").asString());
        assertThat(got.get("group").asString()).isEqualTo("default");
        assertThat(got.get("state").asString()).isIn("provisioning", "ready");
        assertThat(got.has("parent")).isTrue();
        assertThat(got.get("parent").isNull()).isTrue();

        assertThat(http.get(base).json().get("databases")).hasSize(1);
        assertThat(http.get(base + "?group=default").json().get("databases")).hasSize(1);
        assertThat(http.get(base + "?group=other").json().get("databases")).isEmpty();

        Http.Response deleted = http.delete(base + "/lifecycle");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("database").asString()).isEqualTo("lifecycle");
        Http.Response gone = http.get(base + "/lifecycle");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().get("error").asString()).isEqualTo("could not find database with name lifecycle: record not found");
        // the name is free again at once
        Http.Response again = http.post(base, "{\"name\":\"lifecycle\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().at("/database/DbId").asString()).isNotEqualTo(id);
    }

    @Test
    void errorBodies() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug() + "/databases";
        expect(http.as(null).get("/v1/auth/validate"), 401, "unauthorized", "token is invalid or expired");
        expect(http.as("wrong").get("/v2/organizations"), 401, "unauthorized", "token is invalid or expired");
        expect(http.get("/v1/organizations/no-such-org"), 404, "organization_not_found", "organization not found");
        expect(http.get("/v1/organizations/no-such-org/databases"), 404, "organization_not_found", "organization not found");

        // another user, not a member of org
        User other = users.ensureUser(unique("user"));
        String otherToken = apiTokens.issue(other.id(), "t").value();
        Organization otherOrg = organizations.ensureOrganization(unique("other"), other.id());
        expect(http.as(otherToken).get(base), 403, "not_a_member", "you are not a member of organization " + org.slug());
        expect(http.get("/v1/organizations/" + otherOrg.slug()), 403, "not_a_member",
                "you are not a member of organization " + otherOrg.slug());

        assertThat(http.post(base, "{\"name\":\"dup\"}").status()).isEqualTo(200);
        expect(http.post(base, "{\"name\":\"dup\"}"), 409, "database_already_exists", "database with name dup already exists");
        expect(http.post(base, "{\"name\":\"x1\",\"group\":\"nope\"}"), 400, "group_not_found", "group not found");
        expect(http.get(base + "/missing"), 404, "database_not_found", "could not find database with name missing: record not found");
        expect(http.get("/v1/organizations/" + org.slug() + "/groups/nope"), 404, "group_not_found", "group not found");
        assertThat(http.post(base, "{\"name\":\"Bad_Name\"}").status()).isEqualTo(400);
        assertThat(http.post(base, "{\"name\":\"-x\"}").status()).isEqualTo(400);
        assertThat(http.post(base, "{}").json().get("code").asString()).isEqualTo("invalid_name");
        assertThat(http.post(base, null).status()).isEqualTo(400);
        String tooLong = "a".repeat(63 - org.slug().length());
        Http.Response longName = http.post(base, "{\"name\":\"" + tooLong + "\"}");
        assertThat(longName.status()).isEqualTo(400);
        assertThat(longName.json().get("error").asString()).contains("63");
        assertThat(http.post(base, "{\"name\":\"" + tooLong.substring(1) + "\"}").status()).isEqualTo(200);
        expect(http.post(base, "{\"name\":"), 400, "malformed_json", null);
        expect(http.post(base, "[1,2"), 400, "malformed_json", null);
        expect(http.send("PUT", base, null, null), 405, "method_not_allowed", null);
        expect(http.get("/v1/no/such/route"), 404, "not_found", null);
        expect(http.send("POST", base, "<x/>", "application/xml"), 415, "unsupported_media_type", null);
        expect(http.post("/v1/organizations/" + org.slug() + "/databases/dup/auth/tokens?expiration=3y", null), 400,
                "invalid_expiration", "Invalid expiration format");
        expect(http.post("/v1/organizations/" + org.slug() + "/databases/dup/auth/tokens?authorization=root", null), 400,
                "invalid_authorization", null);
        expect(http.post("/v1/organizations/" + org.slug() + "/groups", "{\"name\":\"second\"}"), 402,
                "group_limit_reached", "maximum group count of 1 reached");
        expect(http.post("/v1/organizations/" + org.slug() + "/groups", "{\"name\":\"default\"}"), 409,
                "group_already_exists", "group already exists");
        expect(http.post("/internal/v1/workers/heartbeat", "{}"), 401, null, null);
    }

    private static void expect(Http.Response r, int status, String code, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode body = r.json();
        if (code != null) {
            assertThat(body.get("code").asString()).isEqualTo(code);
        }
        if (message != null) {
            assertThat(body.get("error").asString()).isEqualTo(message);
        }
        if (!r.body().contains("\"message\"")) {
            assertThat(body.get("error").asString()).isNotBlank();
        }
    }

    @Test
    void requestParsingRules() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        // capitalised keys (Go clients), unknown keys ignored
        assertThat(http.post(base + "/databases", "{\"Name\":\"caps\",\"Group\":\"default\",\"Whatever\":1}").status()).isEqualTo(200);
        // group create with CLI keys: 409 proves the body was read (default exists)
        assertThat(http.post(base + "/groups", "{\"Name\":\"default\",\"Location\":\"local\",\"Version\":\"latest\"}").status()).isEqualTo(409);
        // npm sends the token body as text/plain
        Http.Response t = http.send("POST", base + "/databases/caps/auth/tokens", "{\"permissions\":{\"read_attach\":{\"databases\":[]}}}",
                "text/plain;charset=UTF-8");
        assertThat(t.status()).as(t.body()).isEqualTo(200);
        assertThat(t.json().get("jwt").asString()).contains(".");
        // empty body with application/json, and no body at all
        assertThat(http.send("POST", base + "/databases/caps/auth/tokens", "", "application/json").status()).isEqualTo(200);
        assertThat(http.post(base + "/databases/caps/auth/tokens", null).status()).isEqualTo(200);
        assertThat(http.send("POST", base + "/databases", "{\"name\":\"plain\"}", "text/plain;charset=UTF-8").status()).isEqualTo(200);
        assertThat(http.post(base + "/databases/caps/auth/rotate", null).body()).isEqualTo("{}");
    }

    @Test
    void databaseTokenVerifiesWithPublishedKey() throws Exception {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug() + "/databases";
        String id = http.post(base, "{\"name\":\"tok\"}").json().at("/database/DbId").asString();
        String jwt = http.post(base + "/tok/auth/tokens?expiration=1w2d6h3m&authorization=read-only", null).json().get("jwt").asString();
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        List<DatabaseKey> dbKeys = keys.list(id);
        assertThat(dbKeys).hasSize(1);
        assertThat(header).isEqualTo("{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"" + dbKeys.get(0).id() + "\"}");
        assertThat(payload).matches("\\{\"a\":\"ro\",\"exp\":\\d+,\"iat\":\\d+,\"id\":\"" + id + "\",\"jti\":\"[0-9a-f-]{36}\"}");
        JsonNode claims = Http.JSON.readTree(payload);
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(7 * 86400 + 2 * 86400 + 6 * 3600 + 3 * 60);
        assertThat(verify(dbKeys.get(0).publicKey(), parts)).isTrue();

        String never = http.post(base + "/tok/auth/tokens", null).json().get("jwt").asString();
        String neverPayload = new String(Base64.getUrlDecoder().decode(never.split("\\.")[1]), StandardCharsets.UTF_8);
        assertThat(neverPayload).startsWith("{\"a\":\"rw\",\"iat\":").doesNotContain("exp");

        // rotate: new key, the old token no longer verifies with the published key set
        http.post(base + "/tok/auth/rotate", null);
        List<DatabaseKey> rotated = keys.list(id);
        assertThat(rotated).hasSize(1);
        assertThat(verify(rotated.get(0).publicKey(), parts)).isFalse();
    }

    static boolean verify(String rawPublicKey, String[] parts) throws Exception {
        byte[] raw = Base64.getUrlDecoder().decode(rawPublicKey);
        assertThat(raw).hasSize(32);
        byte[] x509 = new byte[44];
        System.arraycopy(HexFormat.of().parseHex("302a300506032b6570032100"), 0, x509, 0, 12);
        System.arraycopy(raw, 0, x509, 12, 32);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return s.verify(Base64.getUrlDecoder().decode(parts[2]));
    }

    /** 500 is the starter limit: with 495 live, 20 concurrent creates → exactly 5 succeed, 15 get 402. */
    @Test
    void quotaHoldsUnderConcurrentCreates() throws Exception {
        Organization org = newOrg();
        DbGroup group = groups.get(org, "default");
        long now = System.currentTimeMillis();
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 495; i++) {
            rows.add(new Object[]{UUID.randomUUID().toString(), org.id(), group.id(), "pre-" + i, "ready", 9_000_000_000L,
                    false, false, false, 1L, 1L, now, now});
        }
        jdbc.batchUpdate("INSERT INTO databases (id, organization_id, group_id, name, state, max_bytes, block_reads, "
                + "block_writes, delete_protection, config_version, pushed_version, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
        int attempts = 20;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Http.Response>> results = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            String name = "race-" + i;
            results.add(pool.submit(() -> {
                start.await();
                return http.post("/v1/organizations/" + org.slug() + "/databases", "{\"name\":\"" + name + "\"}");
            }));
        }
        start.countDown();
        int ok = 0;
        int denied = 0;
        for (Future<Http.Response> f : results) {
            Http.Response r = f.get();
            if (r.status() == 200) {
                ok++;
            } else {
                assertThat(r.status()).as(r.body()).isEqualTo(402);
                assertThat(r.json().get("code").asString()).isEqualTo("database_limit_reached");
                assertThat(r.json().get("error").asString()).isEqualTo("maximum database count of 500 reached");
                denied++;
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(5);
        assertThat(denied).isEqualTo(15);
        assertThat(databaseRepository.countLive(org.id())).isEqualTo(500);
    }

    @Test
    void deletingAGroupDeletesItsDatabases() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        http.post(base + "/databases", "{\"name\":\"in-group\"}");
        Http.Response r = http.delete(base + "/groups/default");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/group/name").asString()).isEqualTo("default");
        assertThat(http.get(base + "/databases").json().get("databases")).isEmpty();
        assertThat(http.get(base + "/groups/default").status()).isEqualTo(404);
        // the group quota counts live groups only: default can be created again
        assertThat(http.post(base + "/groups", "{\"name\":\"default\"}").status()).isEqualTo(200);
    }
}
