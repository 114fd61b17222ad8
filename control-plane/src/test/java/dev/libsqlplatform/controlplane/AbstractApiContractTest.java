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
import dev.libsqlplatform.controlplane.support.MutableClock;
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
@org.springframework.context.annotation.Import(AbstractApiContractTest.TestClock.class)
abstract class AbstractApiContractTest {

    /** The monthly windows' clock, moved by the quota tests (never backwards past the real month). */
    @org.springframework.boot.test.context.TestConfiguration
    static class TestClock {
        @org.springframework.context.annotation.Bean
        @org.springframework.context.annotation.Primary
        MutableClock testClock() {
            return new MutableClock();
        }
    }

    @Autowired
    MutableClock clock;

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
        // the built-in catalog plus "tiny" (100 rows written a month, overages at 0.10 per started 100 rows)
        r.add("platform.quotas.plans-file", () -> java.nio.file.Path.of("src/test/resources/test-plans.json")
                .toAbsolutePath().toString());
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
    void organizationCreateGivesOwnerDefaultGroupAndStarterPlan() {
        String slug = unique("neworg");
        Http.Response dry = http.post("/v1/organizations?dry_run=true", "{\"name\":\"" + slug + "\"}");
        assertThat(dry.status()).isEqualTo(200);
        assertThat(dry.json().at("/org/slug").asString()).isEqualTo(slug);
        assertThat(http.get("/v1/organizations/" + slug).status()).isEqualTo(404);

        Http.Response created = http.post("/v1/organizations", "{\"Name\":\"" + slug + "\",\"stripe_id\":\"x\"}");
        assertThat(created.status()).isEqualTo(200);
        JsonNode org = created.json().get("org");
        assertThat(org.get("slug").asString()).isEqualTo(slug);
        assertThat(org.get("type").asString()).isEqualTo("team");
        assertThat(org.get("plan_id").asString()).isEqualTo("starter");
        assertThat(http.get("/v1/organizations/" + slug + "/groups/default").status()).isEqualTo(200);
        assertThat(http.get("/v1/organizations/" + slug + "/members").json().toString())
                .contains("\"username\":\"admin\"").contains("\"role\":\"owner\"");
        assertThat(http.post("/v1/organizations/" + slug + "/databases", "{\"name\":\"first\"}").status()).isEqualTo(200);

        Http.Response duplicate = http.post("/v1/organizations", "{\"name\":\"" + slug + "\"}");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("code").asString()).isEqualTo("organization_already_exists");
        Http.Response invalid = http.post("/v1/organizations", "{\"name\":\"Bad_Name\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("code").asString()).isEqualTo("invalid_name");
        Http.Response tooLong = http.post("/v1/organizations", "{\"name\":\"" + "a".repeat(41) + "\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("error").asString()).contains("between 1 and 40");
        assertThat(http.post("/v1/organizations", "").status()).isEqualTo(400);
    }

    @Test
    void databaseLifecycle() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug() + "/databases";
        // a seed (branch, dump, point in time) cannot be honoured yet: refused, never an empty database in its place
        for (String seed : List.of("{\"type\":\"database\",\"name\":\"other\"}", "{\"type\":\"dump\",\"url\":\"x\"}", "\"x\"", "{}")) {
            Http.Response seeded = http.post(base, "{\"name\":\"lifecycle\",\"seed\":" + seed + "}");
            expect(seeded, 400, "seed_not_supported", null);
            assertThat(seeded.json().get("error").asString()).startsWith("seed is not supported");
        }
        assertThat(http.get(base).json().get("databases")).isEmpty();
        Http.Response created = http.post(base, "{\"name\":\"lifecycle\",\"group\":\"default\",\"seed\":null,\"size_limit\":\"1gb\",\"location\":\"\"}");
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

    /** 500 is the starter limit: with 495 live, 50 concurrent creates → exactly 5 succeed, 45 get 402. */
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
        int attempts = 50;
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
        assertThat(denied).isEqualTo(45);
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

    // ---------------------------------------------------------------- issue 4: roles, tokens, usage, audit

    /** A new user created by the platform administrator; its first Platform API token is returned once. */
    Http newUser(String username) {
        Http.Response r = http.post("/v1/users", "{\"username\":\"" + username + "\",\"email\":\"" + username + "@example.com\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/user/username").asString()).isEqualTo(username);
        return http.as(r.json().get("token").asString());
    }

    @Test
    void usersAreCreatedByThePlatformAdministratorOnly() {
        String name = unique("u");
        Http user = newUser(name);
        assertThat(user.get("/v1/current-user").json().at("/user/username").asString()).isEqualTo(name);
        expect(user.post("/v1/users", "{\"username\":\"" + unique("x") + "\",\"email\":\"x@y.z\"}"), 403, "forbidden",
                "creating users requires the platform administrator");
        expect(http.post("/v1/users", "{\"username\":\"" + name + "\",\"email\":\"x@y.z\"}"), 409, "user_already_exists", null);
        expect(http.post("/v1/users", "{\"username\":\"Bad Name\",\"email\":\"x@y.z\"}"), 400, "invalid_name", null);
        // a user without organization: org-less routes have nothing to resolve to
        expect(user.get("/v1/databases"), 404, "organization_not_found", "organization not found");
        // the token is stored only as a hash
        assertThat(jdbc.queryForList("SELECT token_hash FROM api_tokens", String.class)).allMatch(h -> h.matches("[0-9a-f]{64}"));
    }

    @Test
    void roleByRoutePermissionMatrix() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        assertThat(http.post(base + "/databases", "{\"name\":\"fixture\"}").status()).isEqualTo(200);
        java.util.Map<String, Http> as = new java.util.LinkedHashMap<>();
        for (String role : List.of("viewer", "member", "admin", "owner")) {
            String name = unique(role);
            Http h = newUser(name);
            Http.Response added = http.post(base + "/members", "{\"username\":\"" + name + "\",\"role\":\"" + role + "\"}");
            assertThat(added.status()).as(added.body()).isEqualTo(200);
            assertThat(added.json().get("role").asString()).isEqualTo(role);
            as.put(role, h);
        }
        as.put("non-member", newUser(unique("outsider")));
        String otherOwner = unique("other");
        Http other = newUser(otherOwner);
        organizations.ensureOrganization(unique("their"), users.findByUsername(otherOwner).orElseThrow().id());
        as.put("other-org", other);

        // expected statuses in the order viewer, member, admin, owner, non-member, other-org
        check(as, "GET databases", r -> r.get(base + "/databases"), 200, 200, 200, 200, 403, 403);
        check(as, "POST databases", r -> r.post(base + "/databases", "{\"name\":\"" + unique("d") + "\"}"), 403, 200, 200, 200, 403, 403);
        check(as, "mint token", r -> r.post(base + "/databases/fixture/auth/tokens", null), 403, 200, 200, 200, 403, 403);
        check(as, "rotate", r -> r.post(base + "/databases/fixture/auth/rotate", null), 403, 200, 200, 200, 403, 403);
        check(as, "configuration", r -> r.send("PATCH", base + "/databases/fixture/configuration", "{\"block_reads\":false}",
                "application/json"), 403, 200, 200, 200, 403, 403);
        check(as, "members add", r -> {
            String target = unique("t");
            newUser(target);
            return r.post(base + "/members", "{\"username\":\"" + target + "\",\"role\":\"viewer\"}");
        }, 403, 403, 200, 200, 403, 403);
        check(as, "org update", r -> r.send("PATCH", base, "{\"overages\":false}", "text/plain;charset=UTF-8"), 403, 403, 200, 200, 403, 403);
        check(as, "audit logs", r -> r.get(base + "/audit-logs"), 403, 403, 200, 200, 403, 403);
        java.util.Map<String, Http> notOwners = new java.util.LinkedHashMap<>(as);
        notOwners.remove("owner");
        check(notOwners, "org delete", r -> r.delete(base), 403, 403, 403, 403, 403);

        Http.Response denied = as.get("viewer").post(base + "/databases", "{\"name\":\"nope\"}");
        expect(denied, 403, "forbidden", "creating databases requires role member, admin or owner");
        expect(as.get("member").send("PATCH", base, "{}", "application/json"), 403, "forbidden",
                "updating the organization requires role admin or owner");
        expect(as.get("non-member").get(base + "/databases"), 403, "not_a_member", "you are not a member of organization " + org.slug());
        expect(as.get("other-org").get(base + "/databases/fixture"), 403, "not_a_member", null);
        expect(as.get("member").get("/v1/organizations/" + unique("nowhere") + "/databases"), 404, "organization_not_found", null);

        // admins cannot touch owners; owners can; the last owner stays
        String ownerName = as.get("owner").get("/v1/current-user").json().at("/user/username").asString();
        String adminName = as.get("admin").get("/v1/current-user").json().at("/user/username").asString();
        expect(as.get("admin").send("PATCH", base + "/members/" + ownerName, "{\"role\":\"member\"}", "application/json"),
                403, "forbidden", "changing the role of an admin or owner requires role owner");
        Http.Response demoted = as.get("owner").send("PATCH", base + "/members/" + adminName, "{\"role\":\"member\"}", "application/json");
        assertThat(demoted.status()).as(demoted.body()).isEqualTo(200);
        assertThat(demoted.json().at("/member/role").asString()).isEqualTo("member");
        expect(http.send("PATCH", base + "/members/" + adminName, "{\"role\":\"root\"}", "application/json"), 400, "invalid_role", null);
        expect(http.post(base + "/members", "{\"username\":\"" + adminName + "\"}"), 409, "member_already_exists",
                "user " + adminName + " is already a member of organization " + org.slug());
        expect(http.post(base + "/members", "{\"username\":\"ghost-user\"}"), 404, "user_not_found", "could not find user ghost-user");
        assertThat(http.get(base + "/members").json().get("members").size()).isGreaterThanOrEqualTo(5);
        assertThat(http.get(base + "/members/" + ownerName).json().at("/member/role").asString()).isEqualTo("owner");

        // the owner deletes the organization: its databases go, the slug is unknown afterwards
        Http.Response deleted = as.get("owner").delete(base);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.body()).isEqualTo("{}");
        expect(http.get(base), 404, "organization_not_found", "organization not found");
        assertThat(databaseRepository.countLive(org.id())).isZero();
    }

    private static void check(java.util.Map<String, Http> as, String what, java.util.function.Function<Http, Http.Response> call,
                              int... expected) {
        int i = 0;
        for (java.util.Map.Entry<String, Http> e : as.entrySet()) {
            Http.Response r = call.apply(e.getValue());
            assertThat(r.status()).as(what + " as " + e.getKey() + ": " + r.body()).isEqualTo(expected[i++]);
            if (r.status() != 200) {
                assertThat(r.json().get("code").asString()).isIn("forbidden", "not_a_member");
            }
        }
    }

    @Test
    void invitesAreAcceptedByTheInvitedUser() {
        Organization org = newOrg();
        String name = unique("inv");
        Http invited = newUser(name);
        Http.Response created = http.send("POST", "/v2/organizations/" + org.slug() + "/invites",
                "{\"email\":\"" + name + "@example.com\",\"role\":\"viewer\"}", "text/plain;charset=UTF-8");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().at("/invited/organization").asString()).isEqualTo(org.slug());
        expect(http.post("/v2/organizations/" + org.slug() + "/invites", "{\"email\":\"" + name + "@example.com\"}"), 409,
                "invite_already_exists", null);
        expect(http.post("/v2/organizations/" + org.slug() + "/invites", "{\"email\":\"a@b.c\",\"role\":\"owner\"}"), 400, "invalid_role", null);
        JsonNode list = http.get("/v2/organizations/" + org.slug() + "/invites").json().get("invites");
        assertThat(list).hasSize(1);
        long id = list.get(0).get("id").asLong();
        expect(invited.get("/v1/organizations/" + org.slug()), 403, "not_a_member", null);
        JsonNode mine = invited.get("/v1/invites").json().get("invites");
        assertThat(mine.get(0).get("organization").asString()).isEqualTo(org.slug());
        expect(http.post("/v1/invites/" + id + "/accept", null), 404, "invite_not_found", "invite not found");
        Http.Response accepted = invited.post("/v1/invites/" + id + "/accept", null);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        assertThat(invited.get("/v1/organizations/" + org.slug()).status()).isEqualTo(200);
        expect(invited.post("/v1/organizations/" + org.slug() + "/databases", "{\"name\":\"x\"}"), 403, "forbidden", null);
        // v1 legacy invite + delete by e-mail (raw in the path)
        assertThat(http.post("/v1/organizations/" + org.slug() + "/invite", "{\"email\":\"later@x.io\",\"role\":\"member\"}").body()).isEqualTo("{}");
        assertThat(http.get("/v1/organizations/" + org.slug() + "/invites").json().get("invites")).hasSize(2);
        assertThat(http.delete("/v2/organizations/" + org.slug() + "/invites/later@x.io").body()).isEqualTo("{}");
        expect(http.delete("/v1/organizations/" + org.slug() + "/invites/later@x.io"), 404, "invite_not_found", "invite not found");
    }

    @Test
    void tokenRecordsRevocationAndPermissions() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        String id = http.post(base + "/databases", "{\"name\":\"main\"}").json().at("/database/DbId").asString();
        String otherId = http.post(base + "/databases", "{\"name\":\"other\"}").json().at("/database/DbId").asString();
        String jwt = http.send("POST", base + "/databases/main/auth/tokens?expiration=2w1d30m&authorization=read-only",
                "{\"permissions\":{\"read_attach\":{\"databases\":[\"other\"]}}}", "text/plain;charset=UTF-8").json().get("jwt").asString();
        JsonNode claims = claims(jwt);
        assertThat(claims.get("a").asString()).isEqualTo("ro");
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(14 * 86400 + 86400 + 1800);
        assertThat(claims.get("p").toString()).isEqualTo("{\"ro\":{\"ns\":[\"" + id + "\"]},\"roa\":{\"ns\":[\"" + otherId + "\"]}}");
        expect(http.post(base + "/databases/main/auth/tokens", "{\"permissions\":{\"read_attach\":{\"databases\":[\"ghost\"]}}}"),
                400, "bad_request", null);
        String second = http.post(base + "/databases/main/auth/tokens", null).json().get("jwt").asString();
        assertThat(claims(second).has("p")).isFalse();

        JsonNode tokens = http.get(base + "/databases/main/auth/tokens").json().get("tokens");
        assertThat(tokens).hasSize(2);
        assertThat(tokens.get(0).get("authorization").asString()).isEqualTo("read-only");
        assertThat(tokens.get(1).get("expires_at").isNull()).isTrue();
        String jti = claims.get("jti").asString();
        assertThat(http.delete(base + "/databases/main/auth/tokens/" + jti).json().get("token").asString()).isEqualTo(jti);
        expect(http.delete(base + "/databases/main/auth/tokens/" + UUID.randomUUID()), 404, "token_not_found", "token not found");
        expect(http.delete(base + "/databases/other/auth/tokens/" + jti), 404, "token_not_found", null);
        tokens = http.get(base + "/databases/main/auth/tokens").json().get("tokens");
        assertThat(tokens.get(0).get("revoked").asBoolean()).isTrue();
        assertThat(tokens.get(1).get("revoked").asBoolean()).isFalse();

        // group token: gid claim, listed and revocable under the group
        String group = groups.get(org, "default").id();
        String g = http.post(base + "/groups/default/auth/tokens?authorization=read-only", "{}").json().get("jwt").asString();
        JsonNode gc = claims(g);
        assertThat(gc.get("gid").asString()).isEqualTo(group);
        assertThat(gc.get("a").asString()).isEqualTo("ro");
        assertThat(gc.has("id")).isFalse();
        expect(http.post(base + "/groups/default/auth/tokens?expiration=forever", null), 400, "invalid_expiration", "Invalid expiration format");
        assertThat(http.get(base + "/groups/default/auth/tokens").json().get("tokens")).hasSize(1);
        assertThat(http.delete(base + "/groups/default/auth/tokens/" + gc.get("jti").asString()).status()).isEqualTo(200);
        assertThat(http.post(base + "/groups/default/auth/rotate", null).body()).isEqualTo("{}");
        // rotation: every earlier token of the group and its databases reads as revoked
        assertThat(http.get(base + "/databases/main/auth/tokens").json().get("tokens").get(1).get("revoked").asBoolean()).isTrue();
        // tokens are never stored: only their ids
        assertThat(jdbc.queryForList("SELECT id FROM issued_tokens", String.class)).noneMatch(t -> t.contains("."));
    }

    /** The SQL console mints a token per run: expired records are swept by later mints of the same subject. */
    @Test
    void mintingSweepsLongExpiredTokenRecordsOfItsSubject() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        String main = http.post(base + "/databases", "{\"name\":\"main\"}").json().at("/database/DbId").asString();
        String other = http.post(base + "/databases", "{\"name\":\"other\"}").json().at("/database/DbId").asString();
        String group = groups.get(org, "default").id();
        long now = System.currentTimeMillis();
        long twoDaysAgo = now - java.time.Duration.ofDays(2).toMillis();
        long anHourAgo = now - java.time.Duration.ofHours(1).toMillis();
        String insert = "INSERT INTO issued_tokens (id, organization_id, kind, database_id, group_id, subject_name, access, "
                + "created_at, expires_at, status, minted_by) VALUES (?, ?, ?, ?, ?, ?, 'rw', ?, ?, 'active', 'test')";
        jdbc.update(insert, "old-main", org.id(), "database", main, group, "main", twoDaysAgo - 60_000, twoDaysAgo);
        jdbc.update(insert, "recent-main", org.id(), "database", main, group, "main", anHourAgo - 60_000, anHourAgo);
        jdbc.update(insert, "old-other", org.id(), "database", other, group, "other", twoDaysAgo - 60_000, twoDaysAgo);
        jdbc.update(insert, "old-group", org.id(), "group", null, group, "default", twoDaysAgo - 60_000, twoDaysAgo);

        http.post(base + "/databases/main/auth/tokens?expiration=1m", null).json().get("jwt").asString();
        List<String> left = jdbc.queryForList("SELECT id FROM issued_tokens WHERE organization_id = ? ORDER BY id", String.class, org.id());
        assertThat(left).contains("recent-main", "old-other", "old-group").doesNotContain("old-main").hasSize(4);
        assertThat(http.get(base + "/databases/main/auth/tokens").json().get("tokens")).hasSize(2);

        http.post(base + "/groups/default/auth/tokens", "{}");
        left = jdbc.queryForList("SELECT id FROM issued_tokens WHERE organization_id = ? ORDER BY id", String.class, org.id());
        assertThat(left).contains("recent-main", "old-other").doesNotContain("old-main", "old-group").hasSize(4);
    }

    static JsonNode claims(String jwt) {
        return Http.JSON.readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    @Test
    void theHostingWorkersReplicationStateShowsOnTheDatabase() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        String id = http.post(base + "/databases", "{\"name\":\"replicated\"}").json().at("/database/DbId").asString();
        Http internal = new Http(port, SERVICE_SECRET);
        String worker = "w-repl-" + UUID.randomUUID();
        String hello = "{\"id\":\"" + worker + "\",\"url\":\"http://127.0.0.1:9\",\"capacity\":0,\"databases\":1";
        assertThat(internal.post("/internal/v1/workers/heartbeat", hello + "}").status()).isEqualTo(200);
        jdbc.update("UPDATE databases SET worker_id = ? WHERE id = ?", worker, id);
        assertThat(http.get(base + "/databases/replicated").json().at("/database/replication").isMissingNode()).isTrue();

        String noReplica = hello + ",\"replication\":[{\"databaseId\":\"" + id + "\",\"logId\":\"log-1\","
                + "\"replicationIndex\":7,\"lastCommitAt\":1790000000000,\"replicas\":[]}]}";
        assertThat(internal.post("/internal/v1/workers/heartbeat", noReplica).status()).isEqualTo(200);
        JsonNode state = http.get(base + "/databases/replicated").json().at("/database/replication");
        assertThat(state.get("log_id").asString()).isEqualTo("log-1");
        assertThat(state.get("replication_index").asLong()).isEqualTo(7);
        assertThat(state.get("last_commit_at").asString()).isEqualTo("2026-09-21T14:13:20Z");
        assertThat(state.get("replicas").size()).isZero();

        String synced = hello + ",\"replication\":[{\"databaseId\":\"" + id + "\",\"logId\":\"log-1\","
                + "\"replicationIndex\":9,\"lastCommitAt\":1790000000000,\"replicas\":["
                + "{\"replica\":\"10.0.0.1/ab\",\"lastSyncAt\":1790000001000,\"frameNo\":9,\"framesBehind\":0},"
                + "{\"replica\":\"10.0.0.2/cd\",\"lastSyncAt\":1790000000500,\"framesBehind\":0}]}]}";
        assertThat(internal.post("/internal/v1/workers/heartbeat", synced).status()).isEqualTo(200);
        state = http.get(base + "/databases/replicated").json().at("/database/replication");
        assertThat(state.get("replication_index").asLong()).isEqualTo(9);
        assertThat(state.at("/replicas/0/replica").asString()).isEqualTo("10.0.0.1/ab");
        assertThat(state.at("/replicas/0/last_sync_at").asString()).isEqualTo("2026-09-21T14:13:21Z");
        assertThat(state.at("/replicas/0/frame_no").asLong()).isEqualTo(9);
        assertThat(state.at("/replicas/0/frames_behind").asLong()).isZero();
        assertThat(state.at("/replicas/1/frame_no").isNull()).isTrue(); // handshake only, never pulled
        // the list stays one query: no replication there
        assertThat(http.get(base + "/databases").json().at("/databases/0/replication").isMissingNode()).isTrue();

        // another worker does not speak for this database's log
        String impostor = synced.replace(worker, "w-other-" + UUID.randomUUID()).replace("\"replicationIndex\":9",
                "\"replicationIndex\":1");
        assertThat(internal.post("/internal/v1/workers/heartbeat", impostor).status()).isEqualTo(200);
        assertThat(http.get(base + "/databases/replicated").json().at("/database/replication/replication_index")
                .asLong()).isEqualTo(9);

        // a malformed state is the worker's bug: 400, nothing stored
        String negative = synced.replace("\"framesBehind\":0}]", "\"framesBehind\":-1}]")
                .replace("\"replicationIndex\":9", "\"replicationIndex\":10");
        Http.Response bad = internal.post("/internal/v1/workers/heartbeat", negative);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(http.get(base + "/databases/replicated").json().at("/database/replication/replication_index")
                .asLong()).isEqualTo(9);
        assertThat(internal.post("/internal/v1/workers/heartbeat", hello + ",\"replication\":[{\"databaseId\":\""
                + id + "\"}]}").status()).isEqualTo(400);
    }

    @Test
    void oneUsageReportSentManyTimesAtOnceIsStoredOnceAndEveryCallSucceeds() throws Exception {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        String id = http.post(base + "/databases", "{\"name\":\"raced\"}").json().at("/database/DbId").asString();
        Http internal = new Http(port, SERVICE_SECRET);
        String report = UUID.randomUUID().toString();
        String beat = "{\"id\":\"w-race\",\"url\":\"http://127.0.0.1:9\",\"capacity\":0,\"databases\":0,\"reportId\":\""
                + report + "\",\"usage\":[{\"databaseId\":\"" + id + "\",\"rowsRead\":7,\"rowsWritten\":2,"
                + "\"storageBytes\":4096,\"bytesSynced\":0}]}";
        int senders = 8;
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Http.Response>> results = new ArrayList<>();
        try {
            for (int i = 0; i < senders; i++) {
                // the same report twice per sender, and other reports about the same database interleaved
                String other = beat.replace(report, UUID.randomUUID().toString()).replace("\"rowsRead\":7", "\"rowsRead\":0")
                        .replace("\"rowsWritten\":2", "\"rowsWritten\":0");
                results.add(pool.submit(() -> {
                    start.await();
                    internal.post("/internal/v1/workers/heartbeat", other);
                    return internal.post("/internal/v1/workers/heartbeat", beat);
                }));
            }
            start.countDown();
            for (Future<Http.Response> r : results) {
                assertThat(r.get().status()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode usage = http.get(base + "/databases/raced/usage").json().at("/database/usage");
        assertThat(usage.get("rows_read").asLong()).isEqualTo(7);
        assertThat(usage.get("rows_written").asLong()).isEqualTo(2);
        assertThat(usage.get("storage_bytes").asLong()).isEqualTo(4096);

        // the storage gauge goes with the database
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM database_storage WHERE database_id = ?", Integer.class, id))
                .isEqualTo(1);
        assertThat(http.delete(base + "/databases/raced").status()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM database_storage WHERE database_id = ?", Integer.class, id))
                .isZero();
    }

    @Test
    void usageIntakeIsDeduplicatedByReportId() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        String id = http.post(base + "/databases", "{\"name\":\"used\"}").json().at("/database/DbId").asString();
        Http internal = new Http(port, SERVICE_SECRET);
        String report = UUID.randomUUID().toString();
        String beat = "{\"id\":\"w-usage\",\"url\":\"http://127.0.0.1:9\",\"capacity\":0,\"databases\":0,\"reportId\":\"" + report
                + "\",\"usage\":[{\"databaseId\":\"" + id + "\",\"rowsRead\":10,\"rowsWritten\":3,\"storageBytes\":8192,"
                + "\"bytesSynced\":0,\"queries\":[{\"query\":\"SELECT * FROM t\",\"rowsRead\":9,\"rowsWritten\":0,\"count\":2},"
                + "{\"query\":\"INSERT INTO t VALUES (1)\",\"rowsRead\":1,\"rowsWritten\":3,\"count\":3}]}]}";
        assertThat(internal.post("/internal/v1/workers/heartbeat", beat).status()).isEqualTo(200);
        assertThat(internal.post("/internal/v1/workers/heartbeat", beat).status()).isEqualTo(200); // re-sent: ignored
        String next = beat.replace(report, UUID.randomUUID().toString()).replace("\"storageBytes\":8192", "\"storageBytes\":12288");
        assertThat(internal.post("/internal/v1/workers/heartbeat", next).status()).isEqualTo(200);

        JsonNode usage = http.get(base + "/databases/used/usage").json().get("database");
        assertThat(usage.get("uuid").asString()).isEqualTo(id);
        assertThat(usage.at("/usage/rows_read").asLong()).isEqualTo(20);
        assertThat(usage.at("/usage/rows_written").asLong()).isEqualTo(6);
        assertThat(usage.at("/usage/storage_bytes").asLong()).isEqualTo(12288);
        assertThat(usage.get("total")).isEqualTo(usage.get("usage"));
        assertThat(usage.at("/instances/0/usage")).isEqualTo(usage.get("usage"));
        // a window without reports
        assertThat(http.get(base + "/databases/used/usage?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00.000Z")
                .json().at("/database/usage/rows_read").asLong()).isZero();
        Http.Response bad = http.get(base + "/databases/used/usage?from=2023-12-12T00:00:00");
        expect(bad, 400, "invalid_date", null);
        assertThat(bad.json().get("error").asString()).startsWith("invalid from parameter");

        JsonNode orgUsage = http.get(base + "/usage").json().get("organization");
        assertThat(orgUsage.at("/usage/rows_read").asLong()).isEqualTo(20);
        assertThat(orgUsage.at("/usage/databases").asLong()).isEqualTo(1);
        assertThat(orgUsage.at("/usage/groups").asLong()).isEqualTo(1);
        assertThat(orgUsage.at("/databases/0/usage/storage_bytes").asLong()).isEqualTo(12288);

        JsonNode top = http.get(base + "/databases/used/stats").json().get("top_queries");
        assertThat(top.get(0).get("query").asString()).isEqualTo("SELECT * FROM t");
        assertThat(top.get(0).get("rows_read").asLong()).isEqualTo(18);
        JsonNode queries = http.get(base + "/databases/used/usage/queries").json();
        assertThat(queries.isArray()).isTrue();
        assertThat(queries).hasSize(2);

        assertThat(http.get("/v1/plans").json().at("/plans/0/quotas/databases").asLong()).isEqualTo(500);
        assertThat(http.get(base + "/plans").json().at("/plans/0/name").asString()).isEqualTo("starter");
        assertThat(http.get(base + "/subscription").json().at("/subscription/plan").asString()).isEqualTo("starter");
        assertThat(http.get(base + "/invoices").body()).isEqualTo("{\"invoices\":[]}");
    }

    @Test
    void configurationInstancesAndGroups() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        http.post(base + "/databases", "{\"name\":\"conf\",\"size_limit\":\"256mb\"}");
        JsonNode conf = http.get(base + "/databases/conf/configuration").json();
        assertThat(conf.get("size_limit").asString()).isEqualTo("256000000");
        assertThat(conf.get("allow_attach").asBoolean()).isFalse();
        assertThat(conf.get("allowed_ips").isArray()).isTrue();
        JsonNode patched = http.send("PATCH", base + "/databases/conf/configuration",
                "{\"size_limit\":\"1gb\",\"block_writes\":true,\"delete_protection\":true,\"allowed_ips\":[\"10.0.0.1\"],\"allow_attach\":null}",
                "application/json").json();
        assertThat(patched.get("size_limit").asString()).isEqualTo("1000000000");
        assertThat(patched.get("block_writes").asBoolean()).isTrue();
        assertThat(patched.get("block_reads").asBoolean()).isFalse();
        assertThat(patched.get("allowed_ips").get(0).asString()).isEqualTo("10.0.0.1");
        // null = unchanged; allowed_ips null clears
        patched = http.send("PATCH", base + "/databases/conf/configuration", "{\"block_writes\":null,\"allowed_ips\":null}",
                "application/json").json();
        assertThat(patched.get("block_writes").asBoolean()).isTrue();
        assertThat(patched.get("allowed_ips")).isEmpty();
        assertThat(http.get(base + "/databases/conf").json().at("/database/block_writes").asBoolean()).isTrue();
        assertThat(databaseRepository.findById(http.get(base + "/databases/conf").json().at("/database/DbId").asString())
                .orElseThrow().maxBytes()).isEqualTo(1_000_000_000L);
        expect(http.send("PATCH", base + "/databases/conf/configuration", "{\"allow_attach\":true}", "application/json"),
                400, "attach_not_supported", null);
        expect(http.send("PATCH", base + "/databases/conf/configuration", "{\"size_limit\":\"12parsecs\"}", "application/json"),
                400, "invalid_size_limit", null);
        Http.Response protectedDelete = http.delete(base + "/databases/conf");
        expect(protectedDelete, 400, "delete_protection_enabled", null);
        assertThat(protectedDelete.json().get("error").asString()).contains("delete protected");

        JsonNode instances = http.get(base + "/databases/conf/instances").json().get("instances");
        assertThat(instances).hasSize(1);
        assertThat(instances.get(0).get("type").asString()).isEqualTo("primary");
        assertThat(instances.get(0).get("name").asString()).isEqualTo("local");
        assertThat(http.get(base + "/databases/conf/instances/local").json().at("/instance/hostname").asString())
                .isEqualTo("conf-" + org.slug() + ".localhost");
        expect(http.get(base + "/databases/conf/instances/nope"), 404, "instance_not_found", null);
        assertThat(http.post(base + "/databases/conf/update", null).body()).isEqualTo("{}");

        assertThat(http.send("PATCH", base + "/groups/default/configuration", "{\"delete_protection\":true}", "application/json")
                .json().get("delete_protection").asBoolean()).isTrue();
        assertThat(http.get(base + "/groups/default/configuration").json().get("delete_protection").asBoolean()).isTrue();
        expect(http.post(base + "/groups/default/locations/amss", null), 400, "invalid_location", "invalid location: amss");
        expect(http.delete(base + "/groups/default/locations/amss"), 400, "invalid_location", "invalid location: amss");
        assertThat(http.post(base + "/groups/default/locations/local", null).json().at("/group/locations/0").asString()).isEqualTo("local");
        assertThat(http.post(base + "/groups/default/unarchive", null).json().at("/group/name").asString()).isEqualTo("default");
        assertThat(http.post(base + "/groups/default/update", null).body()).isEqualTo("{}");
        // org update (text/plain, as npm sends it)
        // overages need a plan with overage prices: usage past the starter quotas is blocked, there is nothing to bill
        expect(http.send("PATCH", base, "{\"overages\":true,\"require_mfa\":null}", "text/plain;charset=UTF-8"), 402,
                "overages_not_available", null);
        JsonNode updated = http.send("PATCH", base, "{\"overages\":false,\"require_mfa\":null}", "text/plain;charset=UTF-8").json();
        assertThat(updated.at("/organization/overages").asBoolean()).isFalse();
        assertThat(updated.at("/organization/require_mfa").asBoolean()).isFalse();
    }

    @Test
    void auditLogRecordsEveryMutatingCall() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        http.post(base + "/databases", "{\"name\":\"audited\"}");
        http.send("POST", base + "/databases/audited/auth/rotate", null, null);
        Http.Response failed = http.post(base + "/databases", "{\"name\":\"audited\"}"); // 409: not recorded
        assertThat(failed.status()).isEqualTo(409);
        new CliHttp(port, ADMIN_TOKEN).delete(base + "/databases/audited");
        http.get(base + "/databases"); // reads are not recorded
        JsonNode page = http.get(base + "/audit-logs?page=1&page_size=2").json();
        assertThat(page.at("/pagination/total_rows").asLong()).isEqualTo(3);
        assertThat(page.at("/pagination/total_pages").asLong()).isEqualTo(2);
        assertThat(page.at("/pagination/page_size").asLong()).isEqualTo(2);
        JsonNode first = page.at("/audit_logs/0");
        assertThat(first.get("code").asString()).isEqualTo("db-delete");
        assertThat(first.get("origin").asString()).isEqualTo("cli");
        assertThat(first.get("author").asString()).isEqualTo("admin");
        assertThat(first.get("message").asString()).isEqualTo("deleted database audited");
        assertThat(first.at("/data/db").asString()).isEqualTo("audited");
        assertThat(first.get("created_at").asString()).isNotBlank();
        JsonNode rest = http.get(base + "/audit-logs?page=2&page_size=2").json().get("audit_logs");
        assertThat(rest).hasSize(1);
        assertThat(rest.get(0).get("code").asString()).isEqualTo("db-create");
        assertThat(rest.get(0).get("origin").asString()).isEqualTo("web");
        expect(http.get(base + "/audit-logs?page=0"), 400, "bad_request", null);
    }

    /** Sends the CLI's User-Agent. */
    static final class CliHttp {
        final int port;
        final String token;

        CliHttp(int port, String token) {
            this.port = port;
            this.token = token;
        }

        Http.Response delete(String path) throws RuntimeException {
            try {
                var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + port + path)).DELETE()
                        .header("Authorization", "Bearer " + token).header("User-Agent", "turso-cli/1.0.0 (linux/amd64)").build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                return new Http.Response(r.statusCode(), r.body(), "application/json");
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void orgLessAliasesResolveToTheCallersOwnOrganization() {
        String name = unique("solo");
        Http solo = newUser(name);
        Organization own = organizations.ensureOrganization(unique("own"), users.findByUsername(name).orElseThrow().id());
        groups.ensureDefault(own.id());
        assertThat(solo.post("/v1/databases", "{\"name\":\"aliased\"}").status()).isEqualTo(200);
        assertThat(solo.get("/v1/organizations/" + own.slug() + "/databases/aliased").status()).isEqualTo(200);
        assertThat(solo.get("/v1/databases/aliased").json().at("/database/Name").asString()).isEqualTo("aliased");
        assertThat(solo.get("/v1/groups").json().at("/groups/0/name").asString()).isEqualTo("default");
        assertThat(solo.get("/v1/usage").json().at("/organization/uuid").asString()).isEqualTo(own.id());
        assertThat(solo.get("/v1/subscription").status()).isEqualTo(200);
        assertThat(solo.get("/v1/invoices").status()).isEqualTo(200);
        Http.Response members = solo.get("/v1/organizations//members");
        assertThat(members.status()).as(members.body()).isEqualTo(200);
        assertThat(members.json().at("/members/0/username").asString()).isEqualTo(name);
        assertThat(solo.post("/v1/databases/aliased/auth/tokens?expiration=1h", null).status()).isEqualTo(200);
        assertThat(solo.get("/v2/locations").status()).isEqualTo(200);
        // the forwarded call is audited like the org-scoped one
        assertThat(solo.get("/v1/audit-logs").json().at("/audit_logs/0/code").asString()).isEqualTo("db-token-create");
    }

    // ---------------------------------------------------------------- P2: org API tokens, invalidate, releases, groups

    /** Adds a new user to {@code org} with {@code role}; returns its client. */
    Http member(Organization org, String role) {
        String name = unique(role);
        Http h = newUser(name);
        Http.Response added = http.post("/v1/organizations/" + org.slug() + "/members",
                "{\"username\":\"" + name + "\",\"role\":\"" + role + "\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        return h;
    }

    @Test
    void organizationApiTokensAreListedWithoutValuesAndRevokedById() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        Http memberUser = member(org, "member");
        Http viewer = member(org, "viewer");
        Http outsider = newUser(unique("outsider"));

        Http.Response adminMint = http.post("/v2/auth/api-tokens/" + unique("ci"), "{\"organization\":\"" + org.slug() + "\"}");
        assertThat(adminMint.status()).as(adminMint.body()).isEqualTo(200);
        String adminTokenId = adminMint.json().at("/token/id").asString();
        String bound = adminMint.json().at("/token/value").asString();
        Http.Response memberMint = memberUser.send("POST", "/v1/auth/api-tokens/mine",
                "{\"organization\":\"" + org.slug() + "\"}", "text/plain;charset=UTF-8");
        assertThat(memberMint.status()).as(memberMint.body()).isEqualTo(200);
        String memberTokenId = memberMint.json().get("id").asString();
        assertThat(http.post("/v1/auth/api-tokens/" + unique("unbound"), null).status()).isEqualTo(200);

        expect(outsider.post("/v1/auth/api-tokens/x", "{\"organization\":\"" + org.slug() + "\"}"), 403, "not_a_member", null);
        expect(http.post("/v1/auth/api-tokens/x", "{\"organization\":\"" + unique("nowhere") + "\"}"), 404,
                "organization_not_found", "organization not found");
        expect(http.post("/v1/auth/api-tokens/x", "{\"organization\":\"" + org.slug() + "\",\"group\":\"default\"}"), 400,
                "bad_request", null);
        expect(http.post("/v1/auth/api-tokens/x", "{\"scopes\":[\"read-only\"]}"), 400, "bad_request", null);
        expect(http.post("/v1/auth/api-tokens/bad%20name", null), 400, "invalid_name", null);

        // admins see every token of the organization, members and viewers their own; never a value
        Http.Response all = http.get(base + "/api-tokens");
        assertThat(all.status()).as(all.body()).isEqualTo(200);
        JsonNode tokens = all.json().get("tokens");
        assertThat(tokens).hasSize(2);
        assertThat(all.body()).doesNotContain(bound).doesNotContain("\"value\"").doesNotContain("\"token\":\"");
        JsonNode first = tokens.get(0);
        assertThat(first.get("id").asString()).isEqualTo(adminTokenId);
        assertThat(first.get("organization").asString()).isEqualTo(org.slug());
        assertThat(first.at("/owner/username").asString()).isEqualTo("admin");
        assertThat(first.at("/owner/email").asString()).isNotBlank();
        assertThat(first.get("created_at").asString()).matches("\\d{4}-\\d{2}-\\d{2}");
        JsonNode own = memberUser.get(base + "/api-tokens").json().get("tokens");
        assertThat(own).hasSize(1);
        assertThat(own.get(0).get("id").asString()).isEqualTo(memberTokenId);
        assertThat(viewer.get(base + "/api-tokens").json().get("tokens")).isEmpty();
        expect(outsider.get(base + "/api-tokens"), 403, "not_a_member", null);
        expect(http.get("/v1/organizations/" + unique("nowhere") + "/api-tokens"), 404, "organization_not_found", null);
        assertThat(http.get("/v1/auth/api-tokens").body()).contains("\"organization\":\"" + org.slug() + "\"");

        // a bound token acts in its organization only, and cannot mint a wider token or create organizations
        Http boundClient = http.as(bound);
        assertThat(boundClient.get(base + "/databases").status()).isEqualTo(200);
        expect(boundClient.get("/v1/organizations/default/databases"), 403, "token_bound_to_organization", null);
        JsonNode visible = boundClient.get("/v2/organizations").json().get("organizations");
        assertThat(visible).hasSize(1);
        assertThat(visible.get(0).get("slug").asString()).isEqualTo(org.slug());
        expect(boundClient.post("/v1/organizations", "{\"name\":\"" + unique("o") + "\"}"), 403, "token_bound_to_organization", null);
        expect(boundClient.post("/v1/auth/api-tokens/x", "{\"organization\":\"default\"}"), 403, "token_bound_to_organization", null);
        String child = unique("child");
        assertThat(boundClient.post("/v1/auth/api-tokens/" + child, null).status()).isEqualTo(200);
        assertThat(http.get(base + "/api-tokens").body()).contains("\"name\":\"" + child + "\"");

        // revoke by id: members their own only, admins any; unknown or foreign ids are 404
        expect(memberUser.delete(base + "/api-tokens/" + adminTokenId), 403, "forbidden",
                "managing the organization's API tokens requires role admin or owner");
        expect(outsider.delete(base + "/api-tokens/" + memberTokenId), 403, "not_a_member", null);
        Http.Response revoked = memberUser.delete(base + "/api-tokens/" + memberTokenId);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.body()).isEqualTo("{\"token\":\"" + memberTokenId + "\"}");
        expect(memberUser.delete(base + "/api-tokens/" + memberTokenId), 404, "api_token_not_found", null);
        expect(http.delete("/v1/organizations/default/api-tokens/" + adminTokenId), 404, "api_token_not_found", null);
        assertThat(http.delete(base + "/api-tokens/" + adminTokenId).status()).isEqualTo(200);
        expect(boundClient.get("/v1/auth/validate"), 401, "unauthorized", null);
        assertThat(http.get(base + "/audit-logs").json().at("/audit_logs/0/code").asString()).isEqualTo("org-api-token-revoke");
    }

    @Test
    void invalidateRevokesTheCallersOtherTokens() throws Exception {
        String name = unique("sess");
        Http user = newUser(name);
        String a = user.post("/v1/auth/api-tokens/a", null).json().get("token").asString();
        String b = user.post("/v2/auth/api-tokens/b", null).json().at("/token/value").asString();
        assertThat(http.as(a).get("/v1/auth/validate").status()).isEqualTo(200);
        long before = System.currentTimeMillis() / 1000;
        Http.Response r = user.post("/v1/auth/invalidate", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("validFrom").asLong()).isBetween(before - 1, before + 60);
        expect(http.as(a).get("/v1/auth/validate"), 401, "unauthorized", null);
        expect(http.as(b).get("/v1/current-user"), 401, "unauthorized", null);
        // the calling token survives (the caller is never locked out); other users are untouched
        assertThat(user.get("/v1/auth/api-tokens").json().get("tokens")).hasSize(1);
        assertThat(http.get("/v1/auth/validate").status()).isEqualTo(200);
        expect(http.as(null).post("/v1/auth/invalidate", null), 401, "unauthorized", null);
    }

    @Test
    void releasesLatestNeedsNoTokenAndNeverProposesAnUnvettedUpdate() throws Exception {
        Http.Response anonymous = http.as(null).get("/releases/latest");
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.contentType()).startsWith("application/json");
        assertThat(anonymous.body()).isEqualTo("{\"latest\":\"v0.0.0\"}");
        var client = java.net.http.HttpClient.newHttpClient();
        for (String[] c : new String[][]{{"v1.2.3", "v1.2.3"}, {"0.97.1", "v0.97.1"}, {"nonsense", "v0.0.0"}}) {
            var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            "http://127.0.0.1:" + port + "/releases/latest")).header("TursoCliVersion", c[0])
                    .header("User-Agent", "turso-cli/" + c[0] + " (linux/amd64)").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(Http.JSON.readTree(response.body()).get("latest").asString()).isEqualTo(c[1]);
        }
    }

    @Test
    void userObjectReportsPendingInvites() {
        Organization org = newOrg();
        String name = unique("pend");
        Http invited = newUser(name);
        assertThat(invited.get("/v1/current-user").json().at("/user/has_pending_invites").asBoolean()).isFalse();
        assertThat(http.post("/v2/organizations/" + org.slug() + "/invites", "{\"username\":\"" + name + "\"}").status())
                .isEqualTo(200);
        assertThat(invited.get("/v1/user").json().at("/user/has_pending_invites").asBoolean()).isTrue();
        long id = invited.get("/v1/invites").json().at("/invites/0/id").asLong();
        assertThat(invited.post("/v1/invites/" + id + "/accept", null).status()).isEqualTo(200);
        assertThat(invited.get("/v1/current-user").json().at("/user/has_pending_invites").asBoolean()).isFalse();
    }

    @Test
    void groupRename() {
        User admin = users.findByUsername("admin").orElseThrow();
        Organization org = organizations.ensureOrganization(unique("ren"), admin.id(), "unlimited");
        groups.ensureDefault(org.id());
        String base = "/v1/organizations/" + org.slug() + "/groups";
        assertThat(http.post("/v1/organizations/" + org.slug() + "/databases", "{\"name\":\"kept\"}").status()).isEqualTo(200);
        String hostname = http.get("/v1/organizations/" + org.slug() + "/databases/kept").json().at("/database/Hostname").asString();
        assertThat(http.post(base, "{\"name\":\"other\"}").status()).isEqualTo(200);

        Http.Response renamed = http.post(base + "/default/rename", "{\"Name\":\"main\"}");
        assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
        assertThat(renamed.body()).isEqualTo("{}");
        assertThat(http.get(base + "/main").json().at("/group/name").asString()).isEqualTo("main");
        expect(http.get(base + "/default"), 404, "group_not_found", "group not found");
        JsonNode db = http.get("/v1/organizations/" + org.slug() + "/databases/kept").json().get("database");
        assertThat(db.get("group").asString()).isEqualTo("main");
        assertThat(db.get("Hostname").asString()).isEqualTo(hostname);
        assertThat(http.post(base + "/main/rename", "{\"name\":\"main\"}").status()).isEqualTo(200);

        expect(http.post(base + "/main/rename", "{\"Name\":\"other\"}"), 409, "group_already_exists", "group already exists");
        expect(http.post(base + "/main/rename", "{\"Name\":\"Bad_Name\"}"), 400, "invalid_name", null);
        expect(http.post(base + "/main/rename", null), 400, "invalid_name", "group name is required");
        expect(http.post(base + "/nope/rename", "{\"Name\":\"x\"}"), 404, "group_not_found", "group not found");
        Http viewer = member(org, "viewer");
        expect(viewer.post(base + "/main/rename", "{\"Name\":\"x\"}"), 403, "forbidden",
                "changing group configuration requires role member, admin or owner");
        assertThat(member(org, "member").post(base + "/other/rename", "{\"Name\":\"renamed\"}").status()).isEqualTo(200);
        assertThat(http.get("/v1/organizations/" + org.slug() + "/audit-logs").json().at("/audit_logs/0/code").asString())
                .isEqualTo("group-rename");
    }

    @Test
    void groupTransferMovesDatabasesAndTheirHostnames() {
        User admin = users.findByUsername("admin").orElseThrow();
        Organization from = organizations.ensureOrganization(unique("src"), admin.id(), "unlimited");
        Organization to = organizations.ensureOrganization(unique("dst"), admin.id(), "unlimited");
        groups.ensureDefault(from.id());
        groups.ensureDefault(to.id());
        String src = "/v1/organizations/" + from.slug();
        String dst = "/v1/organizations/" + to.slug();
        assertThat(http.post(src + "/groups", "{\"name\":\"moving\"}").status()).isEqualTo(200);
        assertThat(http.post(src + "/databases", "{\"name\":\"d1\",\"group\":\"moving\"}").status()).isEqualTo(200);
        assertThat(http.post(src + "/databases", "{\"name\":\"d2\",\"group\":\"moving\"}").status()).isEqualTo(200);
        assertThat(http.post(src + "/databases", "{\"name\":\"stays\"}").status()).isEqualTo(200);
        String d1Id = http.get(src + "/databases/d1").json().at("/database/DbId").asString();
        long versionBefore = databaseRepository.findById(d1Id).orElseThrow().configVersion();
        String transfer = src + "/groups/moving/transfer";
        String body = "{\"organization\":\"" + to.slug() + "\"}";

        // bad input, unknown things, roles
        expect(http.post(transfer, null), 400, "bad_request", null);
        expect(http.post(transfer, "{\"organization\":\"" + from.slug() + "\"}"), 400, "bad_request", null);
        expect(http.post(src + "/groups/nope/transfer", body), 404, "group_not_found", "group not found");
        expect(http.post(transfer, "{\"organization\":\"" + unique("nowhere") + "\"}"), 404, "organization_not_found", null);
        String strangerName = unique("stranger");
        Http stranger = newUser(strangerName);
        Organization theirs = organizations.ensureOrganization(unique("theirs"), users.findByUsername(strangerName).orElseThrow().id());
        expect(http.post(transfer, "{\"organization\":\"" + theirs.slug() + "\"}"), 403, "not_a_member", null);
        Http srcMember = member(from, "member");
        expect(srcMember.post(transfer, body), 403, "not_a_member", null); // not a member of the target
        assertThat(http.post(dst + "/members", "{\"username\":\"" + srcMember.get("/v1/current-user").json()
                .at("/user/username").asString() + "\",\"role\":\"admin\"}").status()).isEqualTo(200);
        expect(srcMember.post(transfer, body), 403, "forbidden",
                "transferring groups between organizations requires role admin or owner");
        expect(stranger.post(transfer, body), 403, "not_a_member", null);

        // conflicts in the target roll everything back
        assertThat(http.post(dst + "/groups", "{\"name\":\"moving\"}").status()).isEqualTo(200);
        expect(http.post(transfer, body), 409, "group_already_exists", "group already exists in organization " + to.slug());
        assertThat(http.delete(dst + "/groups/moving").status()).isEqualTo(200);
        assertThat(http.post(dst + "/databases", "{\"name\":\"d2\"}").status()).isEqualTo(200);
        expect(http.post(transfer, body), 409, "database_already_exists",
                "database with name d2 already exists in organization " + to.slug());
        assertThat(http.get(src + "/groups/moving").status()).isEqualTo(200);
        assertThat(http.get(src + "/databases/d1").status()).isEqualTo(200);
        assertThat(http.delete(dst + "/databases/d2").status()).isEqualTo(200);

        // quotas of the target: a starter organization already has its one group
        Organization starter = newOrg();
        expect(http.post(transfer, "{\"organization\":\"" + starter.slug() + "\"}"), 402, "group_limit_reached",
                "maximum group count of 1 reached in organization " + starter.slug());
        // ... and room for 500 databases: with 499 live, two more do not fit
        assertThat(http.delete("/v1/organizations/" + starter.slug() + "/groups/default").status()).isEqualTo(200);
        String deletedGroup = jdbc.queryForObject("SELECT id FROM db_groups WHERE organization_id = ?", String.class, starter.id());
        long now = System.currentTimeMillis();
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 499; i++) {
            rows.add(new Object[]{UUID.randomUUID().toString(), starter.id(), deletedGroup, "pre-" + i, "ready",
                    9_000_000_000L, false, false, false, 1L, 1L, now, now});
        }
        jdbc.batchUpdate("INSERT INTO databases (id, organization_id, group_id, name, state, max_bytes, block_reads, "
                + "block_writes, delete_protection, config_version, pushed_version, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
        expect(http.post(transfer, "{\"organization\":\"" + starter.slug() + "\"}"), 402, "database_limit_reached",
                "maximum database count of 500 reached in organization " + starter.slug());
        assertThat(http.get(src + "/groups/moving").status()).isEqualTo(200);

        // success: the group answers unwrapped; databases, names and hostnames follow; the worker is told
        Http.Response moved = http.post(transfer, body);
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.json().get("name").asString()).isEqualTo("moving");
        assertThat(moved.json().get("uuid").asString()).isNotBlank();
        expect(http.get(src + "/groups/moving"), 404, "group_not_found", null);
        expect(http.get(src + "/databases/d1"), 404, "database_not_found", null);
        assertThat(http.get(src + "/databases/stays").status()).isEqualTo(200);
        JsonNode d1 = http.get(dst + "/databases/d1").json().get("database");
        assertThat(d1.get("DbId").asString()).isEqualTo(d1Id);
        assertThat(d1.get("Hostname").asString()).isEqualTo("d1-" + to.slug() + ".localhost");
        assertThat(d1.get("group").asString()).isEqualTo("moving");
        assertThat(http.get(dst + "/databases?group=moving").json().get("databases")).hasSize(2);
        var row = databaseRepository.findById(d1Id).orElseThrow();
        assertThat(row.organizationId()).isEqualTo(to.id());
        assertThat(row.configVersion()).isGreaterThan(versionBefore);
        for (String org : List.of(src, dst)) {
            JsonNode entry = http.get(org + "/audit-logs").json().at("/audit_logs/0");
            assertThat(entry.get("code").asString()).isEqualTo("group-transfer");
            assertThat(entry.get("message").asString()).isEqualTo("transferred group moving to organization " + to.slug());
            assertThat(entry.at("/data/organization").asString()).isEqualTo(to.slug());
        }
        assertThat(http.post(dst + "/databases/d1/auth/tokens", null).status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- tenant isolation

    private Organization orgWithSlug(String slug) {
        Organization org = organizations.ensureOrganization(slug, users.findByUsername("admin").orElseThrow().id(), "unlimited");
        groups.ensureDefault(org.id());
        return org;
    }

    /** {@code shop-prod} in {@code acme} and {@code shop} in {@code prod-acme} would both be {@code shop-prod-acme}. */
    @Test
    void hostnameLabelsAreUniqueAcrossOrganizations() {
        String sfx = UUID.randomUUID().toString().substring(0, 8);
        Organization acme = orgWithSlug("acme-" + sfx);
        Organization prodAcme = orgWithSlug("prod-acme-" + sfx);
        String acmeDbs = "/v1/organizations/" + acme.slug() + "/databases";
        String prodDbs = "/v1/organizations/" + prodAcme.slug() + "/databases";
        Http.Response first = http.post(acmeDbs, "{\"name\":\"shop-prod\"}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String hostname = "shop-prod-acme-" + sfx + ".localhost";
        assertThat(first.json().at("/database/Hostname").asString()).isEqualTo(hostname);

        expect(http.post(prodDbs, "{\"name\":\"shop\"}"), 409, "hostname_already_exists", "hostname " + hostname
                + " is already used by a database of another organization (hostnames are <database>-<organization> "
                + "and unique across organizations): choose another database name");
        assertThat(databaseRepository.countLive(prodAcme.id())).isZero();
        assertThat(http.get(prodDbs + "/shop").status()).isEqualTo(404);

        // deleting the holder frees the hostname at once; then the other organization holds it
        assertThat(http.delete(acmeDbs + "/shop-prod").status()).isEqualTo(200);
        Http.Response second = http.post(prodDbs, "{\"name\":\"shop\"}");
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.json().at("/database/Hostname").asString()).isEqualTo(hostname);
        expect(http.post(acmeDbs, "{\"name\":\"shop-prod\"}"), 409, "hostname_already_exists", null);

        // a group transfer that would give a moved database a taken hostname is refused and rolled back
        Organization source = orgWithSlug("src-" + sfx);
        Organization holder = orgWithSlug("u" + sfx);
        Organization target = orgWithSlug("t-u" + sfx);
        String src = "/v1/organizations/" + source.slug();
        assertThat(http.post(src + "/groups", "{\"name\":\"moving\"}").status()).isEqualTo(200);
        assertThat(http.post(src + "/databases", "{\"name\":\"x\",\"group\":\"moving\"}").status()).isEqualTo(200);
        assertThat(http.post("/v1/organizations/" + holder.slug() + "/databases", "{\"name\":\"x-t\"}").status()).isEqualTo(200);
        expect(http.post(src + "/groups/moving/transfer", "{\"organization\":\"" + target.slug() + "\"}"), 409,
                "hostname_already_exists", null);
        assertThat(http.get(src + "/groups/moving").status()).isEqualTo(200);
        assertThat(http.get(src + "/databases/x").json().at("/database/Hostname").asString())
                .isEqualTo("x-" + source.slug() + ".localhost");
        assertThat(http.get("/v1/organizations/" + target.slug() + "/groups/moving").status()).isEqualTo(404);
        // once the holder is gone the same transfer succeeds, and the stored label follows the database
        assertThat(http.delete("/v1/organizations/" + holder.slug() + "/databases/x-t").status()).isEqualTo(200);
        Http.Response moved = http.post(src + "/groups/moving/transfer", "{\"organization\":\"" + target.slug() + "\"}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT label FROM databases WHERE organization_id = ? AND name = 'x' "
                + "AND deleted_at IS NULL", String.class, target.id())).isEqualTo("x-t-u" + sfx);
        expect(http.post("/v1/organizations/" + holder.slug() + "/databases", "{\"name\":\"x-t\"}"), 409,
                "hostname_already_exists", null);
    }

    /** Two creates in DIFFERENT organizations (different organization locks) giving one label: exactly one wins. */
    @Test
    void concurrentCreatesOfOneHostnameInTwoOrganizationsLetExactlyOneWin() throws Exception {
        String sfx = UUID.randomUUID().toString().substring(0, 8);
        Organization p = orgWithSlug("p" + sfx);
        Organization q = orgWithSlug("q-p" + sfx);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                String name = "n" + round;
                CountDownLatch start = new CountDownLatch(1);
                // n<round>-q in p and n<round> in q-p: both n<round>-q-p<sfx>
                Future<Http.Response> inP = pool.submit(() -> {
                    start.await();
                    return http.post("/v1/organizations/" + p.slug() + "/databases", "{\"name\":\"" + name + "-q\"}");
                });
                Future<Http.Response> inQ = pool.submit(() -> {
                    start.await();
                    return http.post("/v1/organizations/" + q.slug() + "/databases", "{\"name\":\"" + name + "\"}");
                });
                start.countDown();
                List<Http.Response> answers = List.of(inP.get(), inQ.get());
                assertThat(answers.stream().filter(r -> r.status() == 200)).as(answers.toString()).hasSize(1);
                Http.Response loser = answers.stream().filter(r -> r.status() != 200).findFirst().orElseThrow();
                expect(loser, 409, "hostname_already_exists", null);
                assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM databases WHERE label = ? AND deleted_at IS NULL",
                        Long.class, name + "-q-p" + sfx)).isEqualTo(1L);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(databaseRepository.countLive(p.id()) + databaseRepository.countLive(q.id())).isEqualTo(10);
    }

    /**
     * Hostile cases for an organization-bound API token: everything outside its organization — other organizations'
     * routes, the user's tokens of other organizations or unbound ones, invites to other organizations, platform-level
     * creations — answers 403 {@code token_bound_to_organization}; lists show its organization's items only.
     */
    @Test
    void organizationBoundTokensActOnlyInsideTheirOrganization() {
        Organization a = orgWithSlug(unique("orga"));
        Organization b = orgWithSlug(unique("orgb"));
        String name = unique("multi");
        Http user = newUser(name);
        for (Organization o : List.of(a, b)) {
            assertThat(http.post("/v1/organizations/" + o.slug() + "/members", "{\"username\":\"" + name
                    + "\",\"role\":\"admin\"}").status()).isEqualTo(200);
        }
        String tokenA = user.post("/v1/auth/api-tokens/a1", "{\"organization\":\"" + a.slug() + "\"}").json().get("token").asString();
        String tokenA2 = user.post("/v1/auth/api-tokens/a2", "{\"organization\":\"" + a.slug() + "\"}").json().get("token").asString();
        String tokenB = user.post("/v1/auth/api-tokens/b1", "{\"organization\":\"" + b.slug() + "\"}").json().get("token").asString();
        String unbound = user.post("/v1/auth/api-tokens/free", null).json().get("token").asString();
        Http boundA = http.as(tokenA);
        String refusal = "this API token is bound to organization " + a.slug() + " and cannot ";

        // other organization's routes, org-scoped and via a body
        expect(boundA.get("/v1/organizations/" + b.slug() + "/databases"), 403, "token_bound_to_organization",
                refusal + "act in organization " + b.slug());
        expect(boundA.get("/v1/organizations/" + b.slug()), 403, "token_bound_to_organization", null);
        expect(boundA.post("/v1/auth/api-tokens/x", "{\"organization\":\"" + b.slug() + "\"}"), 403,
                "token_bound_to_organization", null);
        assertThat(boundA.post("/v1/organizations/" + a.slug() + "/groups", "{\"name\":\"g\"}").status()).isEqualTo(200);
        expect(boundA.post("/v1/organizations/" + a.slug() + "/groups/g/transfer", "{\"organization\":\"" + b.slug() + "\"}"),
                403, "token_bound_to_organization", null);
        assertThat(http.get("/v1/organizations/" + a.slug() + "/groups/g").status()).isEqualTo(200);
        // org-less routes resolve to its organization
        assertThat(boundA.get("/v1/databases").status()).isEqualTo(200);
        assertThat(boundA.get("/v1/organizations").json()).hasSize(1);

        // the user's tokens: only those bound to A are listed and revocable
        JsonNode listed = boundA.get("/v1/auth/api-tokens").json().get("tokens");
        List<String> names = new ArrayList<>();
        listed.forEach(t -> names.add(t.get("name").asString()));
        assertThat(names).containsExactly("a1", "a2");
        assertThat(listed.get(0).get("organization").asString()).isEqualTo(a.slug());
        expect(boundA.delete("/v1/auth/api-tokens/b1"), 403, "token_bound_to_organization",
                refusal + "revoke token b1, which is not bound to it");
        expect(boundA.delete("/v1/auth/api-tokens/free"), 403, "token_bound_to_organization", null);
        expect(boundA.delete("/v1/auth/api-tokens/nope"), 404, "api_token_not_found", null);
        assertThat(http.as(tokenB).get("/v1/auth/validate").status()).isEqualTo(200);
        assertThat(http.as(unbound).get("/v1/auth/validate").status()).isEqualTo(200);
        // logout --all from a bound token ends only that organization's other tokens
        assertThat(boundA.post("/v1/auth/invalidate", null).status()).isEqualTo(200);
        expect(http.as(tokenA2).get("/v1/auth/validate"), 401, "unauthorized", null);
        assertThat(boundA.get("/v1/auth/validate").status()).isEqualTo(200);
        assertThat(http.as(tokenB).get("/v1/auth/validate").status()).isEqualTo(200);
        assertThat(http.as(unbound).get("/v1/auth/validate").status()).isEqualTo(200);

        // invites to another organization: not listed, not counted, not acceptable with the bound token
        Organization c = newOrg();
        assertThat(http.post("/v2/organizations/" + c.slug() + "/invites", "{\"username\":\"" + name + "\"}").status())
                .isEqualTo(200);
        assertThat(user.get("/v1/invites").json().get("invites")).hasSize(1);
        long inviteId = user.get("/v1/invites").json().at("/invites/0/id").asLong();
        assertThat(boundA.get("/v1/invites").json().get("invites")).isEmpty();
        assertThat(boundA.get("/v1/current-user").json().at("/user/has_pending_invites").asBoolean()).isFalse();
        assertThat(user.get("/v1/current-user").json().at("/user/has_pending_invites").asBoolean()).isTrue();
        expect(boundA.post("/v1/invites/" + inviteId + "/accept", null), 403, "token_bound_to_organization",
                refusal + "accept an invite to organization " + c.slug());
        expect(user.get("/v1/organizations/" + c.slug()), 403, "not_a_member", null);
        assertThat(http.as(unbound).post("/v1/invites/" + inviteId + "/accept", null).status()).isEqualTo(200);
        expect(boundA.get("/v1/organizations/" + c.slug()), 403, "token_bound_to_organization", null);

        // platform-level creations
        expect(boundA.post("/v1/organizations", "{\"name\":\"" + unique("o") + "\"}"), 403, "token_bound_to_organization",
                refusal + "create organizations");
        String adminBound = http.post("/v1/auth/api-tokens/" + unique("adm"), "{\"organization\":\"" + a.slug() + "\"}")
                .json().get("token").asString();
        expect(http.as(adminBound).post("/v1/users", "{\"username\":\"" + unique("u") + "\",\"email\":\"u@x.io\"}"), 403,
                "token_bound_to_organization", "this API token is bound to organization " + a.slug() + " and cannot create users");
    }

    // ---- plans, quotas, billing (issue 13) ----

    private void report(String databaseId, long rowsRead, long rowsWritten, long storageBytes) {
        Http internal = new Http(port, SERVICE_SECRET);
        String beat = "{\"id\":\"w-quota\",\"url\":\"http://127.0.0.1:9\",\"capacity\":0,\"databases\":0,\"reportId\":\""
                + UUID.randomUUID() + "\",\"usage\":[{\"databaseId\":\"" + databaseId + "\",\"rowsRead\":" + rowsRead
                + ",\"rowsWritten\":" + rowsWritten + ",\"storageBytes\":" + storageBytes + ",\"bytesSynced\":0}]}";
        assertThat(internal.post("/internal/v1/workers/heartbeat", beat).status()).isEqualTo(200);
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .pollInterval(java.time.Duration.ofMillis(50)).until(condition);
    }

    private Http.Response subscribe(String base, String body) {
        return http.post(base + "/subscription", body);
    }

    @Test
    void plansAreDataAndOnlyThePlatformAdministratorChangesThem() {
        JsonNode plans = http.get("/v1/plans").json().get("plans");
        assertThat(plans.get(0).get("name").asString()).isEqualTo("starter");
        assertThat(plans.get(0).at("/quotas/databases").asLong()).isEqualTo(500);
        assertThat(plans.get(0).at("/quotas/storage").asLong()).isEqualTo(9_000_000_000L);
        assertThat(plans.get(0).at("/quotas/rowsWritten").asLong()).isEqualTo(25_000_000L);
        assertThat(plans.get(0).get("overagesAvailable").asBoolean()).isFalse();
        assertThat(plans.toString()).contains("\"name\":\"developer\"", "\"name\":\"scaler\"");
        JsonNode developer = null;
        for (JsonNode p : plans) {
            if (p.get("name").asString().equals("developer")) {
                developer = p;
            }
        }
        assertThat(developer.get("price").asString()).isEqualTo("4.99");
        assertThat(developer.at("/overage/rowsWritten/cents").asLong()).isEqualTo(100);

        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        assertThat(http.get(base + "/plans").json().get("plans")).isEqualTo(plans);
        // a member, even the organization's owner, does not choose its own limits on a self-hosted platform
        String ownerName = unique("owner");
        Http owner = newUser(ownerName);
        assertThat(http.post(base + "/members", "{\"username\":\"" + ownerName + "\",\"role\":\"owner\"}").status())
                .isEqualTo(200);
        expect(owner.post(base + "/subscription", "{\"plan\":\"scaler\"}"), 403, "forbidden",
                "changing an organization's plan requires the platform administrator");
        expect(owner.send("PATCH", base + "/quotas", "{\"storage\":1}", "application/json"), 403, "forbidden", null);
        expect(newUser(unique("stranger")).post(base + "/subscription", "{\"plan\":\"scaler\"}"), 403, "not_a_member", null);
        assertThat(owner.get(base + "/quotas").status()).isEqualTo(200);
        // bad input
        expect(subscribe(base, "{\"plan\":\"platinum\"}"), 400, "plan_not_found", null);
        expect(subscribe(base, "{}"), 400, "bad_request", null);
        expect(subscribe(base, "{\"plan\":\"starter\",\"overages\":true}"), 402, "overages_not_available", null);
        expect(subscribe(base, "{\"plan\":\"developer\",\"timeline\":\"weekly\"}"), 400, "bad_request", null);
        expect(http.send("PATCH", base + "/quotas", "{\"storage\":-1}", "application/json"), 400, "bad_request", null);
        expect(http.send("PATCH", base + "/quotas", "{\"storage\":\"1gb\"}", "application/json"), 400, "bad_request", null);
        expect(http.send("PATCH", base + "/quotas", "{\"disk\":1}", "application/json"), 400, "bad_request", null);

        Http.Response changed = subscribe(base, "{\"plan\":\"scaler\",\"overages\":true}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().at("/subscription/plan").asString()).isEqualTo("scaler");
        assertThat(http.get(base).json().at("/organization/plan_id").asString()).isEqualTo("scaler");
        assertThat(http.get(base).json().at("/organization/overages").asBoolean()).isTrue();
        assertThat(http.get(base + "/subscription").json().at("/subscription/overages").asBoolean()).isTrue();
        // the new plan's limits apply at once: scaler allows 10 groups
        JsonNode quotas = http.get(base + "/quotas").json().get("quotas");
        assertThat(quotas.at("/quotas/groups").asLong()).isEqualTo(10);
        // overrides replace single limits; null goes back to the plan's
        JsonNode overridden = http.send("PATCH", base + "/quotas", "{\"groups\":2,\"storage\":5000000}", "application/json")
                .json().get("quotas");
        assertThat(overridden.at("/quotas/groups").asLong()).isEqualTo(2);
        assertThat(overridden.at("/quotas/storage").asLong()).isEqualTo(5_000_000);
        assertThat(overridden.at("/overrides/groups").asLong()).isEqualTo(2);
        assertThat(overridden.at("/overrides/rowsRead").isNull()).isTrue();
        JsonNode back = http.send("PATCH", base + "/quotas", "{\"groups\":null}", "application/json").json().get("quotas");
        assertThat(back.at("/quotas/groups").asLong()).isEqualTo(10);
        assertThat(back.at("/quotas/storage").asLong()).isEqualTo(5_000_000);
        // back to starter: overages cannot stay on
        assertThat(subscribe(base, "{\"plan\":\"starter\"}").json().at("/subscription/overages").asBoolean()).isFalse();
    }

    /**
     * Over the monthly rows-written quota the organization and every database are blocked within seconds (the
     * reason names the quota); an upgrade lifts it, overages on a paid plan lift it, and the next month starts
     * unblocked.
     */
    @Test
    void monthlyRowsWrittenQuotaBlocksAndIsLifted() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        String a = http.post(base + "/databases", "{\"name\":\"a\"}").json().at("/database/DbId").asString();
        http.post(base + "/databases", "{\"name\":\"b\"}");
        assertThat(subscribe(base, "{\"plan\":\"tiny\"}").status()).isEqualTo(200); // 100 rows written a month
        report(a, 5, 60, 8192);
        assertThat(http.get(base).json().at("/organization/blocked_writes").asBoolean()).isFalse();
        report(a, 5, 41, 8192);
        await(() -> http.get(base).json().at("/organization/blocked_writes").asBoolean());
        JsonNode o = http.get(base).json().get("organization");
        assertThat(o.get("blocked_reads").asBoolean()).isFalse();
        assertThat(o.get("block_reason").asString()).contains("monthly rows written quota of 100 reached")
                .contains("plan tiny");
        await(() -> http.get(base + "/databases/b").json().at("/database/block_writes").asBoolean());
        JsonNode b = http.get(base + "/databases/b").json().get("database");
        assertThat(b.get("block_reads").asBoolean()).isFalse();
        assertThat(b.get("block_reason").asString()).contains("monthly rows written quota of 100 reached");
        // the member's own configuration is untouched: lifting the quota never clears an operator's block
        assertThat(http.get(base + "/databases/b/configuration").json().get("block_writes").asBoolean()).isFalse();
        JsonNode status = http.get(base + "/quotas").json().get("quotas");
        assertThat(status.at("/usage/rows_written").asLong()).isEqualTo(101);
        assertThat(status.get("databases")).hasSize(2);
        assertThat(status.at("/databases/0/block_writes").asBoolean()).isTrue();
        // a database created while blocked is blocked from the start
        http.post(base + "/databases", "{\"name\":\"c\"}");
        assertThat(http.get(base + "/databases/c").json().at("/database/block_writes").asBoolean()).isTrue();

        // a plan upgrade lifts it (starter: 25 M rows written), at once
        assertThat(subscribe(base, "{\"plan\":\"starter\"}").status()).isEqualTo(200);
        assertThat(http.get(base).json().at("/organization/blocked_writes").asBoolean()).isFalse();
        assertThat(http.get(base + "/databases/b").json().at("/database/block_writes").asBoolean()).isFalse();
        assertThat(http.get(base).json().at("/organization/block_reason").asString()).isEmpty();
        // back on tiny: blocked again; an override lifts it
        subscribe(base, "{\"plan\":\"tiny\"}");
        assertThat(http.get(base + "/databases/a").json().at("/database/block_writes").asBoolean()).isTrue();
        http.send("PATCH", base + "/quotas", "{\"rowsWritten\":1000}", "application/json");
        assertThat(http.get(base).json().at("/organization/blocked_writes").asBoolean()).isFalse();
        http.send("PATCH", base + "/quotas", "{\"rowsWritten\":null}", "application/json");
        assertThat(http.get(base).json().at("/organization/blocked_writes").asBoolean()).isTrue();
        // overages on a paid plan: billed, not blocked
        assertThat(http.send("PATCH", base, "{\"overages\":true}", "application/json").status()).isEqualTo(200);
        await(() -> !http.get(base).json().at("/organization/blocked_writes").asBoolean());
        assertThat(http.get(base + "/databases/a").json().at("/database/block_writes").asBoolean()).isFalse();
        assertThat(http.send("PATCH", base, "{\"overages\":false}", "application/json").status()).isEqualTo(200);
        await(() -> http.get(base).json().at("/organization/blocked_writes").asBoolean());

        // next month: the monthly quota starts again
        try {
            clock.advance(java.time.Duration.ofDays(32));
            await(() -> !http.get(base).json().at("/organization/blocked_writes").asBoolean());
            await(() -> !http.get(base + "/databases/a").json().at("/database/block_writes").asBoolean());
            assertThat(http.get(base + "/quotas").json().at("/quotas/usage/rows_written").asLong()).isZero();
        } finally {
            clock.reset();
        }
    }

    /** Storage is per organization: each database's cap is what the others leave, re-pushed as usage changes. */
    @Test
    void storageQuotaIsSharedByTheOrganizationsDatabases() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        String a = http.post(base + "/databases", "{\"name\":\"a\"}").json().at("/database/DbId").asString();
        String b = http.post(base + "/databases", "{\"name\":\"b\"}").json().at("/database/DbId").asString();
        String c = http.post(base + "/databases", "{\"name\":\"c\",\"size_limit\":\"1mb\"}").json().at("/database/DbId").asString();
        http.send("PATCH", base + "/quotas", "{\"storage\":4096000}", "application/json"); // granule 16,000 bytes
        await(() -> databaseRepository.findById(a).orElseThrow().maxBytes() == 4_096_000);
        assertThat(databaseRepository.findById(c).orElseThrow().maxBytes()).isEqualTo(1_000_000);
        assertThat(databaseRepository.findById(a).orElseThrow().storageReason()).contains("storage quota of 4096000 bytes");
        assertThat(databaseRepository.findById(c).orElseThrow().storageReason()).isNull(); // its own limit is tighter
        report(a, 1, 1, 2_048_000);
        report(b, 1, 1, 1_024_000);
        // b may grow to 4,096,000 - 2,048,000 = 2,048,000; a to 3,072,000 (both multiples of the granule)
        await(() -> databaseRepository.findById(b).orElseThrow().maxBytes() == 2_048_000
                && databaseRepository.findById(a).orElseThrow().maxBytes() == 3_072_000);
        assertThat(databaseRepository.findById(c).orElseThrow().maxBytes()).isEqualTo(1_000_000);
        assertThat(http.get(base + "/quotas").json().at("/quotas/usage/storage_bytes").asLong()).isEqualTo(3_072_000);
        // a database created now gets what the others leave (the enforcer recomputes only it), not the plan's storage
        String d = http.post(base + "/databases", "{\"name\":\"d\"}").json().at("/database/DbId").asString();
        await(() -> databaseRepository.findById(d).orElseThrow().maxBytes() == 1_024_000);
        assertThat(databaseRepository.findById(d).orElseThrow().storageReason()).contains("storage quota of 4096000 bytes");
        assertThat(databaseRepository.findById(a).orElseThrow().maxBytes()).isEqualTo(3_072_000);
        // its size limit raised past what is left: still capped by the organization's storage
        http.send("PATCH", base + "/databases/d/configuration", "{\"size_limit\":\"2mb\"}", "application/json");
        await(() -> databaseRepository.findById(d).orElseThrow().maxBytes() == 1_024_000
                && databaseRepository.findById(d).orElseThrow().sizeLimit() == 2_000_000);
        http.delete(base + "/databases/d");
        // at the limit: writes blocked for the organization, each database capped at what it has
        report(b, 0, 0, 2_048_000);
        await(() -> http.get(base).json().at("/organization/blocked_writes").asBoolean());
        assertThat(http.get(base).json().at("/organization/block_reason").asString()).contains("storage quota of 4096000 bytes reached");
        assertThat(databaseRepository.findById(b).orElseThrow().maxBytes()).isEqualTo(2_048_000);
        // after DELETE/DROP the reported size falls: unblocked, room again
        report(a, 0, 0, 1_024_000);
        await(() -> !http.get(base).json().at("/organization/blocked_writes").asBoolean()
                && databaseRepository.findById(b).orElseThrow().maxBytes() == 3_072_000);
        // deleting a database gives its storage back
        http.delete(base + "/databases/b");
        await(() -> databaseRepository.findById(a).orElseThrow().maxBytes() == 4_096_000);
    }

    /** A paid plan with overages: the invoice's lines are the price list's. */
    @Test
    void paidPlanWithOverageGetsAnInvoiceMatchingThePriceList() {
        Organization org = newOrg();
        String base = "/v1/organizations/" + org.slug();
        String a = http.post(base + "/databases", "{\"name\":\"a\"}").json().at("/database/DbId").asString();
        assertThat(http.get(base + "/invoices").body()).isEqualTo("{\"invoices\":[]}");
        JsonNode preview = http.get(base + "/invoices/upcoming").json().get("invoice");
        assertThat(preview.get("amount_due").asString()).isEqualTo("0.00");
        assertThat(preview.get("lines")).isEmpty();
        assertThat(subscribe(base, "{\"plan\":\"developer\",\"overages\":true}").status()).isEqualTo(200);
        // developer: 4.99 a month, 25 M rows written included, 1.00 per started million beyond
        report(a, 10, 25_000_000, 4096);
        report(a, 10, 1_500_000, 4096);
        JsonNode invoices = http.get(base + "/invoices").json().get("invoices");
        assertThat(invoices).hasSize(1);
        JsonNode inv = invoices.get(0);
        assertThat(inv.get("status").asString()).isEqualTo("upcoming");
        assertThat(inv.get("plan").asString()).isEqualTo("developer");
        assertThat(inv.get("amount_due").asString()).isEqualTo("6.99");
        assertThat(inv.at("/lines/0/amount_cents").asLong()).isEqualTo(499);
        assertThat(inv.at("/lines/1/description").asString()).startsWith("rows written over 25000000 included");
        assertThat(inv.at("/lines/1/quantity").asLong()).isEqualTo(2);
        assertThat(inv.at("/lines/1/unit_cents").asLong()).isEqualTo(100);
        assertThat(inv.at("/usage/rows_written").asLong()).isEqualTo(26_500_000);
        assertThat(inv.get("lines")).hasSize(2);
        assertThat(http.get(base + "/invoices/upcoming").json().get("invoice")).isEqualTo(inv);
        assertThat(http.get(base + "/invoices?type=issued").json().get("invoices")).isEmpty();
        expect(http.get(base + "/invoices?type=paid"), 400, "bad_request", null);
        // nothing is blocked: the overage is billed
        assertThat(http.get(base).json().at("/organization/blocked_writes").asBoolean()).isFalse();
    }
}
