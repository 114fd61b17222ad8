package dev.libsqlplatform.controlplane.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.libsqlplatform.controlplane.apitoken.ApiTokenService;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.organization.Memberships;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.security.Passwords;
import dev.libsqlplatform.controlplane.support.Http;
import dev.libsqlplatform.controlplane.user.User;
import dev.libsqlplatform.controlplane.user.UserService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The dashboard over real HTTP, against each metadata engine by the subclasses: sign-in (password with lock-out, token),
 * CSRF, the Platform API left bearer-only, create/validate/delete, every refused action refused again by a forged
 * POST, and the 5,000-database list costing the same number of SQL statements as a 3-database one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class AbstractDashboardWebTest {

    static final String ADMIN_TOKEN = "dashboard-admin-token-" + UUID.randomUUID();
    static final String ADMIN_PASSWORD = "admin password for tests";
    static void commonProperties(DynamicPropertyRegistry r) {
        Path data;
        try {
            data = Files.createTempDirectory("cp-dashboard");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        r.add("platform.data-dir", data::toString);
        r.add("platform.admin-token", () -> ADMIN_TOKEN);
        r.add("platform.service-secret", () -> "dashboard-test-secret");
        // no worker here, and a quiet reconciler: the statement counts below are the page's alone
        r.add("platform.reconcile-interval", () -> "1h");
        r.add("platform.sign-in.admin-password", () -> ADMIN_PASSWORD);
        r.add("platform.sign-in.max-failures", () -> "3");
        r.add("server.address", () -> "127.0.0.1");
    }

    @TestConfiguration
    static class Counting {
        @Bean
        static StatementCounter statementCounter() {
            return new StatementCounter();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    UserService users;
    @Autowired
    OrganizationService organizations;
    @Autowired
    GroupService groups;
    @Autowired
    Memberships memberships;
    @Autowired
    ApiTokenService apiTokens;
    @Autowired
    Passwords passwords;
    @Autowired
    DatabaseService databases;
    @Autowired
    JdbcTemplate jdbc;

    Session admin() {
        Session s = new Session(port);
        Session.Page signedIn = s.signIn("admin", ADMIN_PASSWORD);
        assertThat(signedIn.status()).isEqualTo(302);
        assertThat(signedIn.location()).endsWith("/dashboard");
        return s;
    }

    User newUser(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        return users.create(name, name + "@example.com", name);
    }

    Organization newOrg() {
        User admin = users.findByUsername("admin").orElseThrow();
        Organization org = organizations.ensureOrganization("org-" + UUID.randomUUID().toString().substring(0, 8),
                admin.id());
        groups.ensureDefault(org.id());
        return org;
    }

    @Test
    void rootLeadsToSignInAndTheApiStaysBearerOnly() {
        Session anonymous = new Session(port);
        assertThat(anonymous.get("/").location()).endsWith("/dashboard");
        assertThat(anonymous.get("/dashboard").location()).endsWith("/sign-in");
        assertThat(anonymous.get("/dashboard/default/databases").location()).endsWith("/sign-in");

        Session s = admin();
        assertThat(s.get("/dashboard").location()).endsWith("/dashboard/default");
        Organization other = newOrg();
        assertThat(s.get("/dashboard/default").body()).contains("id=\"org-select\"", other.slug());
        assertThat(s.get("/dashboard?org=" + other.slug()).location()).endsWith("/dashboard/" + other.slug());
        // a dashboard session is no Platform API credential: the API answers exactly as before
        Session.Page api = s.get("/v1/organizations");
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.body()).isEqualTo("{\"error\":\"token is invalid or expired\",\"code\":\"unauthorized\"}");
        assertThat(new Http(port, ADMIN_TOKEN).get("/v1/organizations").status()).isEqualTo(200);
    }

    @Test
    void passwordSignInPagesAndSignOut() {
        Session s = admin();
        Session.Page overview = s.get("/dashboard/default");
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.body()).contains("Quotas", "Databases", "of 500", "Rows read this month", "Members");
        for (String page : List.of("/dashboard/default/databases", "/dashboard/default/databases/new",
                "/dashboard/default/tokens", "/dashboard/default/usage", "/dashboard/-/account", "/dashboard/-/workers")) {
            assertThat(s.get(page).status()).as(page).isEqualTo(200);
        }
        Session.Page out = s.post("/sign-out", Map.of());
        assertThat(out.status()).isEqualTo(302);
        assertThat(out.location()).endsWith("/sign-in?signed-out");
        assertThat(s.get("/dashboard/default").location()).endsWith("/sign-in");
    }

    @Test
    void wrongPasswordsLockTheAccountEvenForTheRightOne() {
        User u = newUser("locky");
        passwords.change(new Caller(u.id(), u.username(), null, null, null), null, "the right password");
        Session s = new Session(port);
        for (int i = 0; i < 3; i++) {
            assertThat(s.signIn(u.username(), "wrong password " + i).location()).endsWith("/sign-in?error=password");
        }
        assertThat(s.signIn(u.username(), "the right password").location()).endsWith("/sign-in?error=locked");
        // an unknown user gets the same answer as a wrong password
        assertThat(new Session(port).signIn("nobody-" + UUID.randomUUID(), "whatever pass").location())
                .endsWith("/sign-in?error=password");
        assertThat(s.get("/sign-in?error=locked").body()).contains("locked");
    }

    @Test
    void aUserSetsThenChangesTheirPassword() {
        User u = newUser("pw");
        memberships.ensure(organizations.bySlug("default").id(), u.id(), "member");
        Session s = new Session(port);
        assertThat(s.signInWithToken(apiTokens.issue(u.id(), "first").value()).location()).endsWith("/dashboard");
        assertThat(s.get("/dashboard/-/account").body()).contains("Set a password").doesNotContain("id=\"current\"");
        assertThat(s.post("/dashboard/-/account/password", Map.of("password", "short", "confirm", "short")).body())
                .contains("at least 12 characters");
        assertThat(s.post("/dashboard/-/account/password", Map.of("password", "a long new password",
                "confirm", "another long password")).body()).contains("differ");
        assertThat(s.post("/dashboard/-/account/password", Map.of("password", "a long new password",
                "confirm", "a long new password")).location()).endsWith("/dashboard/-/account");
        assertThat(s.get("/dashboard/-/account").body()).contains("Password changed.", "Change your password");
        // now the current password is required
        assertThat(s.post("/dashboard/-/account/password", Map.of("current", "not it", "password",
                "yet another password", "confirm", "yet another password")).body()).contains("current password is wrong");
        assertThat(new Session(port).signIn(u.username(), "a long new password").location()).endsWith("/dashboard");
    }

    @Test
    void anOrganizationBoundTokenCannotSetAPassword() {
        User u = newUser("bound");
        Organization org = newOrg();
        memberships.ensure(org.id(), u.id(), "member");
        Session s = new Session(port);
        assertThat(s.signInWithToken(apiTokens.issue(u.id(), "bound", org.id()).value()).location())
                .endsWith("/dashboard");
        s.get("/dashboard/" + org.slug());
        assertThat(s.post("/dashboard/-/account/password", Map.of("password", "a long new password",
                "confirm", "a long new password")).body()).contains("organization-bound");
        assertThat(passwords.hasPassword(u.id())).isFalse();
    }

    @Test
    void tokenSignInLastsAsLongAsTheToken() {
        User admin = users.findByUsername("admin").orElseThrow();
        String name = "dash-" + UUID.randomUUID().toString().substring(0, 8);
        ApiTokenService.IssuedToken issued = apiTokens.issue(admin.id(), name);
        Session s = new Session(port);
        assertThat(s.signInWithToken("not-a-token").location()).endsWith("/sign-in?error=token");
        Session.Page in = s.signInWithToken(issued.value());
        assertThat(in.location()).endsWith("/dashboard");
        assertThat(s.get("/dashboard/default").status()).isEqualTo(200);
        // revoked through the tokens page (the API's own service), the session ends with it
        s.get("/dashboard/default/tokens");
        assertThat(s.post("/dashboard/default/api-tokens/" + name + "/revoke", Map.of()).status()).isEqualTo(302);
        assertThat(s.get("/dashboard/default").location()).endsWith("/sign-in");
    }

    @Test
    void everyPostNeedsTheCsrfToken() {
        Session anonymous = new Session(port);
        anonymous.get("/sign-in");
        // no session behind the form (or a forged one): back to the sign-in page, not signed in
        assertThat(anonymous.postRaw("/sign-in", Map.of("username", "admin", "password", ADMIN_PASSWORD)).location())
                .endsWith("/sign-in?error=expired");
        assertThat(anonymous.get("/dashboard/default").location()).endsWith("/sign-in");
        Session s = admin();
        String name = "nocsrf-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(s.postRaw("/dashboard/default/databases", Map.of("name", name, "group", "default")).status())
                .isEqualTo(403);
        Session.Page forged = s.postRaw("/dashboard/default/databases", Map.of("name", name, "group", "default",
                "_csrf", "forged"));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.body()).contains("CSRF token");
        assertThat(databases.find(organizations.bySlug("default"), name)).isEmpty();
    }

    @Test
    void createShowsFieldErrorsThenDetailThenDeleteWithConfirmation() {
        Organization org = newOrg();
        Session s = admin();
        String base = "/dashboard/" + org.slug() + "/databases";
        s.get(base + "/new");
        Session.Page bad = s.post(base, Map.of("name", "Not A Name!", "group", "default"));
        assertThat(bad.status()).isEqualTo(200);
        assertThat(bad.body()).contains("id=\"name-error\"", "aria-invalid=\"true\"");
        Session.Page badGroup = s.post(base, Map.of("name", "fine", "group", "no-such-group"));
        assertThat(badGroup.body()).contains("id=\"group-error\"");

        Session.Page created = s.post(base, Map.of("name", "shop", "group", "default"));
        assertThat(created.status()).isEqualTo(302);
        assertThat(created.location()).endsWith(base + "/shop");
        Session.Page detail = s.get(base + "/shop");
        assertThat(detail.body()).contains("shop-" + org.slug() + ".localhost", "libsql://shop-" + org.slug(),
                "@libsql/client", "syncUrl", "provisioning", "Database shop created");
        Session.Page duplicate = s.post(base, Map.of("name", "shop", "group", "default"));
        assertThat(duplicate.body()).contains("id=\"name-error\"", "already exists");

        Session.Page unconfirmed = s.post(base + "/shop/delete", Map.of("confirm", "not-shop"));
        assertThat(unconfirmed.status()).isEqualTo(400);
        assertThat(databases.find(org, "shop")).isPresent();
        s.get(base + "/shop");
        Session.Page deleted = s.post(base + "/shop/delete", Map.of("confirm", "shop"));
        assertThat(deleted.status()).isEqualTo(302);
        assertThat(databases.find(org, "shop")).isEmpty();
        assertThat(s.get(base).body()).contains("Database shop deleted", "0 databases");
        // the audit log has them as if the Platform API had been called
        String log = new Http(port, ADMIN_TOKEN).get("/v1/organizations/" + org.slug() + "/audit-logs").body();
        assertThat(log).contains("\"code\":\"db-create\"", "\"code\":\"db-delete\"", "deleted database shop",
                "\"author\":\"admin\"");
    }

    @Test
    void groupTokensAreMintedShownOnceListedAndRevoked() {
        Organization org = newOrg();
        Session s = admin();
        String tokens = "/dashboard/" + org.slug() + "/tokens";
        assertThat(s.get(tokens).body()).contains("No group token");
        Session.Page minted = s.post("/dashboard/" + org.slug() + "/group-tokens",
                Map.of("group", "default", "access", "read-only", "expiration", "2w"));
        assertThat(minted.status()).isEqualTo(200);
        java.util.regex.Matcher jwt = java.util.regex.Pattern.compile("id=\"token-value\"[^>]*>([^<]+)<")
                .matcher(minted.body());
        assertThat(jwt.find()).isTrue();
        assertThat(jwt.group(1).trim().split("\\.")).hasSize(3);
        Session.Page listed = s.get(tokens);
        java.util.regex.Matcher revoke = java.util.regex.Pattern.compile("/group-tokens/default/([0-9a-f-]{36})/revoke")
                .matcher(listed.body());
        assertThat(revoke.find()).isTrue();
        assertThat(listed.body()).contains("read-only").doesNotContain(jwt.group(1).trim());
        assertThat(s.post("/dashboard/" + org.slug() + revoke.group(), Map.of()).status()).isEqualTo(302);
        assertThat(s.get(tokens).body()).contains("Group token " + revoke.group(1) + " revoked", "revoked");
        assertThat(s.post("/dashboard/" + org.slug() + "/group-tokens", Map.of("group", "default",
                "expiration", "soon")).body()).contains("Invalid expiration format", "invalid_expiration");
    }

    @Test
    void theDetailPageShowsTheReplicationIndexAndEachReplicasLastSyncAndLag() {
        Organization org = newOrg();
        Database db = databases.create(org, "synced", "default");
        Session s = admin();
        String page = "/dashboard/" + org.slug() + "/databases/synced";
        assertThat(s.get(page).body()).contains("id=\"replication-none\"");

        Http internal = new Http(port, "dashboard-test-secret");
        String worker = "w-dash-" + UUID.randomUUID();
        String hello = "{\"id\":\"" + worker + "\",\"url\":\"http://127.0.0.1:9\"";
        assertThat(internal.post("/internal/v1/workers/heartbeat", hello + "}").status()).isEqualTo(200);
        jdbc.update("UPDATE databases SET worker_id = ? WHERE id = ?", worker, db.id());
        String state = hello + ",\"replication\":[{\"databaseId\":\"" + db.id() + "\",\"logId\":\"log-9\","
                + "\"replicationIndex\":1234,\"lastCommitAt\":1790000000000,\"replicas\":[]}]}";
        assertThat(internal.post("/internal/v1/workers/heartbeat", state).status()).isEqualTo(200);
        String body = s.get(page).body();
        assertThat(body).contains("id=\"replication-index\">1234<", "log-9", "No replica has synced.")
                .doesNotContain("id=\"replicas\"");

        String synced = state.replace("\"replicas\":[]", "\"replicas\":["
                + "{\"replica\":\"10.1.1.1/aa\",\"lastSyncAt\":1790000001000,\"frameNo\":1234,\"framesBehind\":0},"
                + "{\"replica\":\"10.1.1.2/bb\",\"lastSyncAt\":1790000000500,\"frameNo\":1200,\"framesBehind\":3}]");
        assertThat(internal.post("/internal/v1/workers/heartbeat", synced).status()).isEqualTo(200);
        body = s.get(page).body();
        assertThat(body).contains("id=\"replicas\"", "10.1.1.1/aa", "up to date", "10.1.1.2/bb", "34 frames")
                .doesNotContain("No replica has synced.");
    }

    @Test
    void deleteProtectionIsRespected() {
        Organization org = newOrg();
        databases.create(org, "kept", "default");
        databases.configure(org, "kept", Map.of("delete_protection", true));
        Session s = admin();
        s.get("/dashboard/" + org.slug() + "/databases/kept");
        Session.Page refused = s.post("/dashboard/" + org.slug() + "/databases/kept/delete", Map.of("confirm", "kept"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("delete protected", "delete_protection_enabled");
        assertThat(databases.find(org, "kept")).isPresent();
    }

    @Test
    void aViewerIsRefusedInThePageAndByForgedPosts() {
        Organization org = newOrg();
        databases.create(org, "target", "default");
        User viewer = newUser("viewer");
        memberships.ensure(org.id(), viewer.id(), "viewer");
        Session s = new Session(port);
        assertThat(s.signInWithToken(apiTokens.issue(viewer.id(), "v").value()).location()).endsWith("/dashboard");
        String base = "/dashboard/" + org.slug() + "/databases";

        // the pages offer nothing a viewer may not do
        Session.Page list = s.get(base);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain("Create database");
        Session.Page detail = s.get(base + "/target");
        assertThat(detail.status()).isEqualTo(200);
        assertThat(detail.body()).doesNotContain("id=\"delete-database\"", "id=\"mint-token\"", "id=\"open-console\"");
        assertThat(s.get(base + "/new").status()).isEqualTo(403);
        assertThat(s.get(base + "/target/console").status()).isEqualTo(403);

        // and the same actions posted by hand, with the viewer's valid session and CSRF token, are refused
        List<String> refusals = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> forged : Map.of(
                base, Map.of("name", "sneaky", "group", "default"),
                base + "/target/delete", Map.of("confirm", "target"),
                base + "/target/tokens", Map.of("access", "full-access", "expiration", "never"),
                base + "/target/console", Map.of("sql", "DROP TABLE x"),
                "/dashboard/" + org.slug() + "/group-tokens", Map.of("group", "default"),
                base + "/target/tokens/any-jti/revoke", Map.<String, String>of(),
                "/dashboard/" + org.slug() + "/group-tokens/default/any-jti/revoke", Map.<String, String>of()).entrySet()) {
            Session.Page r = s.post(forged.getKey(), forged.getValue());
            if (r.status() != 403 || !r.body().contains("forbidden")) {
                refusals.add(forged.getKey() + " answered " + r.status());
            }
        }
        assertThat(refusals).isEmpty();
        assertThat(databases.find(org, "sneaky")).isEmpty();
        assertThat(databases.find(org, "target")).isPresent();
        // the workers page is for the operator organization's admins only
        assertThat(s.get("/dashboard/-/workers").status()).isEqualTo(403);
    }

    @Test
    void theWorkersPageShowsDrainsAndOnlyThePlatformAdministratorSwitchesThem() {
        Http internal = new Http(port, "dashboard-test-secret");
        Http api = new Http(port, ADMIN_TOKEN);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String a = "w-drain-a-" + suffix;
        String b = "w-drain-b-" + suffix;
        for (String w : List.of(a, b)) { // no capacity: nothing is placed on them by the other tests
            assertThat(internal.post("/internal/v1/workers/heartbeat", "{\"id\":\"" + w
                    + "\",\"url\":\"http://127.0.0.1:9\",\"capacity\":0,\"databases\":0}").status()).isEqualTo(200);
        }
        Session s = admin();
        String page = s.get("/dashboard/-/workers").body();
        assertThat(page).contains("id=\"drain-" + a + "\"", "not draining").doesNotContain("id=\"undrain-" + a + "\"");

        // a POST without the session's CSRF token is refused and drains nothing
        assertThat(s.postRaw("/dashboard/-/workers/" + a + "/drain", Map.of()).status()).isEqualTo(403);
        assertThat(api.get("/v1/workers/" + a).json().at("/worker/drain").isNull()).isTrue();

        // drain: the same state as the API's, shown on the page
        Session.Page drained = s.post("/dashboard/-/workers/" + a + "/drain", Map.of());
        assertThat(drained.status()).as(drained.body()).isEqualTo(302);
        assertThat(drained.location()).endsWith("/dashboard/-/workers");
        assertThat(api.get("/v1/workers/" + a).json().at("/worker/drain/state").asString()).isEqualTo("drained");
        page = s.get("/dashboard/-/workers").body();
        String row = page.substring(page.indexOf("id=\"worker-" + a + "\""));
        row = row.substring(0, row.indexOf("</tr>"));
        assertThat(page).contains("Worker " + a + " is draining");
        assertThat(row).contains(">drained<", "0 remaining, 0 moving", "since ", "id=\"undrain-" + a + "\"")
                .doesNotContain("id=\"drain-" + a + "\"");
        // an unknown worker: the API's 404 and code
        Session.Page unknown = s.post("/dashboard/-/workers/no-such-worker/drain", Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("worker_not_found");

        // an admin of the operator organization who is not the platform administrator sees drains, not the buttons,
        // and the same POSTs by hand (valid session and CSRF token) are refused as by the API
        User operator = newUser("operator");
        memberships.ensure(organizations.bySlug("default").id(), operator.id(), "admin");
        Session o = new Session(port);
        assertThat(o.signInWithToken(apiTokens.issue(operator.id(), "o").value()).location()).endsWith("/dashboard");
        String seen = o.get("/dashboard/-/workers").body();
        assertThat(seen).contains(">drained<").doesNotContain("id=\"undrain-" + a + "\"", "id=\"drain-" + b + "\"");
        for (String forged : List.of("/dashboard/-/workers/" + a + "/undrain", "/dashboard/-/workers/" + b + "/drain")) {
            Session.Page r = o.post(forged, Map.of());
            assertThat(r.status()).as(forged).isEqualTo(403);
            assertThat(r.body()).contains("forbidden");
        }
        assertThat(api.get("/v1/workers/" + a).json().at("/worker/drain/state").asString()).isEqualTo("drained");
        assertThat(api.get("/v1/workers/" + b).json().at("/worker/drain").isNull()).isTrue();

        // undrain
        assertThat(s.post("/dashboard/-/workers/" + a + "/undrain", Map.of()).status()).isEqualTo(302);
        assertThat(api.get("/v1/workers/" + a).json().at("/worker/drain").isNull()).isTrue();
        assertThat(s.get("/dashboard/-/workers").body()).contains("is no longer draining", "id=\"drain-" + a + "\"");
    }

    @Test
    void theListOf5000DatabasesCostsAsManyQueriesAsAListOf3() {
        Organization big = newOrg();
        Organization small = newOrg();
        insertDatabases(big, 5000);
        insertDatabases(small, 3);
        Session s = admin();
        s.get("/dashboard/" + big.slug() + "/databases"); // warm-up (templates, caches)

        long before = StatementCounter.COUNT.get();
        Session.Page page = s.get("/dashboard/" + big.slug() + "/databases");
        long bigQueries = StatementCounter.COUNT.get() - before;
        before = StatementCounter.COUNT.get();
        Session.Page smallPage = s.get("/dashboard/" + small.slug() + "/databases");
        long smallQueries = StatementCounter.COUNT.get() - before;

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("5000 databases", "Page 1 of 100", "db-00000", "db-00049")
                .doesNotContain("db-00050");
        assertThat(smallPage.body()).contains("3 databases");
        assertThat(bigQueries).as("SQL statements for the 5,000-database page").isEqualTo(smallQueries)
                .isLessThanOrEqualTo(12);

        Session.Page last = s.get("/dashboard/" + big.slug() + "/databases?page=100");
        assertThat(last.body()).contains("db-04999", "Page 100 of 100");
        Session.Page search = s.get("/dashboard/" + big.slug() + "/databases?q=0424");
        // db-00424 and db-04240 … db-04249
        assertThat(search.body()).contains("11 databases matching", "db-00424", "db-04245");
        // LIKE wildcards typed by the user are matched literally
        assertThat(s.get("/dashboard/" + big.slug() + "/databases?q=%25").body()).contains("0 databases matching");
    }

    /** Fixture rows (ready, nothing for the reconciler to do): faster than 5,000 creates and past the plan's 500. */
    private void insertDatabases(Organization org, int n) {
        String groupId = groups.list(org).get(0).id();
        List<Object[]> rows = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            String name = String.format("db-%05d", i);
            rows.add(new Object[]{UUID.randomUUID().toString(), org.id(), groupId, name, now, now,
                    name + "-" + org.slug()});
        }
        jdbc.batchUpdate("INSERT INTO databases (id, organization_id, group_id, name, state, max_bytes, config_version, "
                + "pushed_version, created_at, updated_at, label) VALUES (?, ?, ?, ?, 'ready', 1000000, 1, 1, ?, ?, ?)", rows);
    }
}
