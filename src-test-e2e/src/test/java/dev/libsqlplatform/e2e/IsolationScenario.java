package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tenant isolation through the Platform API, checked on the real worker: {@code allowed_ips} and blocks set with
 * {@code PATCH .../configuration} reach the worker (which refuses SQL from other addresses with {@code 403
 * FORBIDDEN}, and serves again once the list is cleared), and a hostname label {@code <db>-<org>} taken by one
 * organization is refused to another (409) while the first keeps routing. The test client reaches the worker from
 * 127.0.0.1.
 */
final class IsolationScenario {

    /** Documented propagation: within the reconcile interval (1 s); generous for a loaded machine. */
    private static final Duration PROPAGATION = Duration.ofSeconds(10);

    private final Platform platform;
    private final ApiFixtures api;
    private final String admin;
    private final String sfx = Platform.randomSuffix();

    IsolationScenario(Platform platform) {
        this.platform = platform;
        this.api = new ApiFixtures(platform);
        this.admin = platform.adminToken();
    }

    private Http.Answer pipeline(String token, String host, String sql) throws Exception {
        ObjectNode body = Http.object();
        body.putNull("baton");
        var requests = body.putArray("requests");
        requests.addObject().put("type", "execute").putObject("stmt").put("sql", sql);
        requests.addObject().put("type", "close");
        return Http.send("POST", platform.workerUrl() + "/v2/pipeline", token, host, body.toString());
    }

    private String host(String db, String org) {
        return db + "-" + org + ".localhost:" + platform.workerUrl().replaceAll(".*:", "");
    }

    /** null when the statement ran. */
    private static String notServed(Http.Answer a) {
        if (a.status() == 200 && a.json() != null
                && "ok".equals(a.json().path("results").path(0).path("type").asString())) {
            return null;
        }
        return a.status() + " " + a.text();
    }

    /** null when the worker refused the caller's address as documented: 403 {"message", "code": "FORBIDDEN"}. */
    private static String notForbidden(Http.Answer a) {
        if (a.status() == 403 && a.contentType().startsWith("application/json") && "FORBIDDEN".equals(a.field("code"))
                && a.field("message") != null && !a.field("message").isEmpty()) {
            return null;
        }
        return a.status() + " " + a.text() + " (" + a.contentType() + ")";
    }

    private void configure(String org, String db, Object body) throws Exception {
        api.ok(admin, "PATCH", "/v1/organizations/" + org + "/databases/" + db + "/configuration", body);
    }

    private void await(String what, ApiFixtures.Check check) throws Exception {
        String problem = ApiFixtures.await(PROPAGATION, check);
        assertNull(problem, () -> what + " within " + PROPAGATION + ": still " + problem + "\n" + platform.logTails(40));
    }

    void allowedIpsAndBlocksReachTheWorker() throws Exception {
        String org = Platform.ORG;
        String db = "e2e-ip-" + sfx;
        api.createDatabase(admin, org, db);
        String jwt = api.mint(admin, org, db, null, null);
        await("the new database answers", () -> notServed(pipeline(jwt, host(db, org), "CREATE TABLE t (x)")));

        // an address list without the caller's address (127.0.0.1): refused, by host label and by token id alike
        configure(org, db, Map.of("allowed_ips", List.of("127.0.0.2", "10.0.0.0/8")));
        await("403 FORBIDDEN for 127.0.0.1 after allowed_ips [127.0.0.2, 10.0.0.0/8]",
                () -> notForbidden(pipeline(jwt, host(db, org), "SELECT 1")));
        assertNull(notForbidden(pipeline(jwt, null, "SELECT 1")), "routing by the token's id must be refused too");
        // the caller's address in CIDR form: served
        configure(org, db, Map.of("allowed_ips", List.of("127.0.0.0/8", "::1")));
        await("served after allowed_ips [127.0.0.0/8, ::1]", () -> notServed(pipeline(jwt, host(db, org), "SELECT 1")));
        configure(org, db, Map.of("allowed_ips", List.of("192.0.2.1")));
        await("403 FORBIDDEN after allowed_ips [192.0.2.1]", () -> notForbidden(pipeline(jwt, null, "SELECT 1")));
        // cleared: every address again
        configure(org, db, Map.of("allowed_ips", List.of()));
        await("served after allowed_ips []", () -> notServed(pipeline(jwt, host(db, org), "INSERT INTO t VALUES (1)")));

        // invalid entries never reach the worker: 400 at the Platform API, the database keeps serving
        Http.Answer bad = api.call(admin, "PATCH", "/v1/organizations/" + org + "/databases/" + db + "/configuration",
                Map.of("allowed_ips", List.of("not-an-address")));
        assertEquals(400, bad.status(), bad.toString());
        assertEquals("invalid_allowed_ips", bad.field("code"), bad.toString());
        assertNull(notServed(pipeline(jwt, host(db, org), "SELECT 1")));

        // blocks carry their reason to the client
        configure(org, db, Map.of("block_writes", true));
        await("BLOCKED with the configuration's reason after block_writes", () -> {
            Http.Answer a = pipeline(jwt, host(db, org), "INSERT INTO t VALUES (2)");
            return a.text().contains("BLOCKED") && a.text().contains("block_writes is set in the database's configuration")
                    ? null : a.status() + " " + a.text();
        });
        assertNull(notServed(pipeline(jwt, host(db, org), "SELECT count(*) FROM t")), "reads stay allowed");
        configure(org, db, Map.of("block_writes", false));
        await("writes served after block_writes false", () -> notServed(pipeline(jwt, host(db, org), "INSERT INTO t VALUES (3)")));
    }

    void hostnameLabelsAreUniqueAcrossOrganizations() throws Exception {
        String acme = "e2e-a" + sfx;
        String prodAcme = "prod-e2e-a" + sfx;
        api.createOrganization(admin, acme);
        api.createOrganization(admin, prodAcme);
        // shop-prod in acme and shop in prod-acme would both be shop-prod-e2e-a<sfx>
        api.createDatabase(admin, acme, "shop-prod");
        String jwt = api.mint(admin, acme, "shop-prod", null, null);
        await("shop-prod answers by hostname", () -> notServed(pipeline(jwt, host("shop-prod", acme), "SELECT 1")));
        Http.Answer clash = api.call(admin, "POST", "/v1/organizations/" + prodAcme + "/databases",
                Map.of("name", "shop", "group", "default"));
        assertEquals(409, clash.status(), clash.toString());
        assertEquals("hostname_already_exists", clash.field("code"), clash.toString());
        assertTrue(clash.field("error").contains("shop-prod-" + acme), clash.toString());
        assertEquals(404, api.call(admin, "GET", "/v1/organizations/" + prodAcme + "/databases/shop", null).status());
        // the hostname still reaches the first organization's database
        assertNull(notServed(pipeline(jwt, host("shop", prodAcme), "SELECT 1")));
    }
}
