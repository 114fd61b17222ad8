package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Database tokens minted by the control plane over REST × operations on the worker, in Hrana JSON
 * ({@code POST /v2/pipeline}), each cell with its exact HTTP status and Hrana error code.
 *
 * <p>Every request names its database by the Host label {@code <db>-<org>.localhost:<port>} (group tokens and
 * tokens without {@code id} have nothing else to route by), so that a token for database O sent to database T
 * really asks T. Columns: read (SELECT), write (INSERT), DDL (CREATE TABLE) on the target database T, and a
 * read on O, another database of the same organization and group.
 */
final class DataPlaneTokenMatrix {

    /** What one cell must answer. */
    enum Outcome {
        /** 200, the statement's result is {@code ok}. */
        OK,
        /** 200, the statement's result is an error with code PERMISSION_DENIED (read-only token writing). */
        PERMISSION_DENIED,
        /** 401 {@code {"message", "code": "UNAUTHORIZED"}}, Content-Type application/json. */
        UNAUTHORIZED
    }

    private static final Duration PROPAGATION = Duration.ofSeconds(3);
    private static final String ORG = Platform.ORG;

    private final Platform platform;
    private final ApiFixtures api;
    private final String admin;
    private final String sfx = Platform.randomSuffix();
    private final String target = "e2e-tm-t-" + sfx;
    private final String other = "e2e-tm-o-" + sfx;

    /** Every cell over Hrana over WebSocket instead of HTTP pipelines: same tokens, same expected outcomes. */
    private final boolean webSocket;

    DataPlaneTokenMatrix(Platform platform) {
        this(platform, false);
    }

    DataPlaneTokenMatrix(Platform platform, boolean webSocket) {
        this.platform = platform;
        this.webSocket = webSocket;
        this.api = new ApiFixtures(platform);
        this.admin = platform.adminToken();
    }

    private String host(String db, String org) {
        return db + "-" + org + ".localhost:" + platform.workerUrl().replaceAll(".*:", "");
    }

    private Http.Answer pipeline(String token, String hostHeader, String sql) throws Exception {
        if (webSocket) {
            return HranaSocket.execute(platform.workerUrl(), token, hostHeader, sql);
        }
        ObjectNode body = Http.object();
        body.putNull("baton");
        var requests = body.putArray("requests");
        requests.addObject().put("type", "execute").putObject("stmt").put("sql", sql);
        requests.addObject().put("type", "close");
        return Http.send("POST", platform.workerUrl() + "/v2/pipeline", token, hostHeader, body.toString());
    }

    /** null when {@code a} is the outcome, else a description of what came instead. */
    private static String mismatch(Outcome expected, Http.Answer a) {
        switch (expected) {
            case OK, PERMISSION_DENIED -> {
                if (a.status() != 200 || a.json() == null) {
                    return "HTTP " + a.status() + " " + a.text();
                }
                JsonNode first = a.json().path("results").path(0);
                String type = first.path("type").asString();
                if (expected == Outcome.OK) {
                    return "ok".equals(type) ? null : "200 with result " + first;
                }
                String code = first.path("error").path("code").asString();
                return "error".equals(type) && "PERMISSION_DENIED".equals(code) ? null : "200 with result " + first;
            }
            case UNAUTHORIZED -> {
                if (a.status() != 401) {
                    return "HTTP " + a.status() + " " + a.text();
                }
                if (!a.contentType().startsWith("application/json") || !"UNAUTHORIZED".equals(a.field("code"))
                        || a.field("message") == null || a.field("message").isEmpty()) {
                    return "401 but body " + a.text() + " (" + a.contentType() + ")";
                }
                return null;
            }
            default -> throw new IllegalStateException();
        }
    }

    private static String describe(Http.Answer a) {
        return a.status() + " " + a.text();
    }

    private record Row(String name, String token, Outcome read, Outcome write, Outcome ddl, Outcome otherDb,
                       String messageFragment) {
    }

    void run() throws Exception {
        // ---- fixtures: T and O in the default organization, X in another organization
        api.createDatabase(admin, ORG, target);
        api.createDatabase(admin, ORG, other);
        String full = api.mint(admin, ORG, target, null, null);
        String otherFull = api.mint(admin, ORG, other, null, null);
        awaitOk(full, host(target, ORG), "CREATE TABLE t (x)");
        awaitOk(otherFull, host(other, ORG), "CREATE TABLE t (x)");

        String otherOrg = "e2e-tm-org-" + sfx;
        String otherOrgDb = "e2e-tm-x-" + sfx;
        api.createOrganization(admin, otherOrg);
        api.createDatabase(admin, otherOrg, otherOrgDb);
        String otherOrgToken = api.mint(admin, otherOrg, otherOrgDb, null, null);
        awaitOk(otherOrgToken, host(otherOrgDb, otherOrg), "SELECT 1");

        // rotated: minted, then the database's keys are rotated; the new key set reaches the worker within 3 s.
        // Every other token of T is minted after the rotation.
        String rotated = api.mint(admin, ORG, target, null, null);
        assertOutcome("rotated token before the rotation", rotated, host(target, ORG), "SELECT 1", Outcome.OK);
        api.ok(admin, "POST", "/v1/organizations/" + ORG + "/databases/" + target + "/auth/rotate", null);
        awaitOutcome("rotated token after POST .../auth/rotate", rotated, host(target, ORG), Outcome.UNAUTHORIZED);

        full = api.mint(admin, ORG, target, null, null);
        awaitOutcome("full-access token minted after the rotation", full, host(target, ORG), Outcome.OK);
        String readOnly = api.mint(admin, ORG, target, "authorization=read-only", null);
        String fineGrained = api.mint(admin, ORG, target, null,
                Map.of("permissions", Map.of("read_attach", Map.of("databases", List.of(other)))));
        String group = api.ok(admin, "POST", "/v1/organizations/" + ORG + "/groups/default/auth/tokens", null)
                .path("jwt").asString();
        awaitOutcome("group token", group, host(target, ORG), Outcome.OK);

        String revoked = api.mint(admin, ORG, target, null, null);
        assertOutcome("token before its revocation", revoked, host(target, ORG), "SELECT 1", Outcome.OK);
        String jti = Http.jwtPayload(revoked).path("jti").asString();
        JsonNode rev = api.ok(admin, "DELETE", "/v1/organizations/" + ORG + "/databases/" + target + "/auth/tokens/"
                + jti, null);
        assertEquals(jti, rev.path("token").asString(), rev.toString());
        awaitOutcome("revoked token after DELETE .../auth/tokens/{jti}", revoked, host(target, ORG),
                Outcome.UNAUTHORIZED);

        String expired = api.mint(admin, ORG, target, "expiration=1s", null);
        // minted for one second: wait until the worker itself refuses it (its clock decides, not ours)
        String notYet = ApiFixtures.await(Duration.ofSeconds(15), () -> mismatch(Outcome.UNAUTHORIZED,
                pipeline(expired, host(target, ORG), "SELECT 1")));
        assertNull(notYet, () -> "token minted with expiration=1s still accepted after 15 s: " + notYet);

        // forged from the full-access token: no `id` claim (payload edited, signature left as it was) ...
        String[] parts = full.split("\\.");
        ObjectNode payload = Http.jwtPayload(full);
        payload.remove("id");
        String noId = parts[0] + "." + Http.b64url(payload.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2];
        // ... and a signature that does not verify (one byte of the 64 changed)
        byte[] sig = java.util.Base64.getUrlDecoder().decode(parts[2]);
        sig[10] ^= 0x01;
        String badSignature = parts[0] + "." + parts[1] + "." + Http.b64url(sig);

        Outcome ok = Outcome.OK;
        Outcome pd = Outcome.PERMISSION_DENIED;
        Outcome no = Outcome.UNAUTHORIZED;
        List<Row> rows = List.of(
                new Row("full-access", full, ok, ok, ok, no, null),
                new Row("read-only", readOnly, ok, pd, pd, no, null),
                // a group token is valid for every database of its group; O is in the same group
                new Row("group", group, ok, ok, ok, ok, null),
                // rw on T, read_attach on O: but ATTACH is never allowed, and the token is signed with T's key
                new Row("fine-grained (read_attach O)", fineGrained, ok, ok, ok, no, null),
                new Row("expired", expired, no, no, no, no, "expired"),
                new Row("rotated", rotated, no, no, no, no, "signature"),
                new Row("revoked", revoked, no, no, no, no, "revoked"),
                // O's token asks T: refused; on its own database O it works
                new Row("other database's", otherFull, no, no, no, ok, null),
                new Row("other organization's", otherOrgToken, no, no, no, no, null),
                new Row("no id claim (forged)", noId, no, no, no, no, "`id`"),
                new Row("bad signature", badSignature, no, no, no, no, "signature"));

        List<String> failures = new ArrayList<>();
        Map<String, String> table = new LinkedHashMap<>();
        int expectedRows = 0;
        for (Row row : rows) {
            String ddlTable = "ddl_" + row.name().replaceAll("[^a-z]", "_");
            String[][] cells = {
                    {"read", target, "SELECT count(*) FROM t", row.read().name()},
                    {"write", target, "INSERT INTO t VALUES (1)", row.write().name()},
                    {"DDL", target, "CREATE TABLE " + ddlTable + " (x)", row.ddl().name()},
                    {"other database", other, "SELECT count(*) FROM t", row.otherDb().name()}};
            StringBuilder line = new StringBuilder();
            for (String[] cell : cells) {
                Outcome expected = Outcome.valueOf(cell[3]);
                Http.Answer a = pipeline(row.token(), host(cell[1], ORG), cell[2]);
                String problem = mismatch(expected, a);
                line.append(String.format("%-16s", cell[0] + "=" + (problem == null ? expected : "WRONG")));
                if (problem != null) {
                    failures.add(row.name() + " × " + cell[0] + " (" + cell[2] + " on " + cell[1] + "): expected "
                            + expected + ", got " + problem);
                } else if (row.messageFragment() != null && expected == Outcome.UNAUTHORIZED
                        && !cell[0].equals("other database")
                        && !a.field("message").contains(row.messageFragment())) {
                    failures.add(row.name() + " × " + cell[0] + ": 401 for the wrong reason: " + describe(a)
                            + " (expected the message to mention \"" + row.messageFragment() + "\")");
                }
                if (cell[0].equals("write") && expected == Outcome.OK && problem == null) {
                    expectedRows++;
                }
            }
            table.put(row.name(), line.toString());
        }
        StringBuilder report = new StringBuilder("token matrix on " + platform + ":\n");
        table.forEach((k, v) -> report.append(String.format("  %-30s %s%n", k, v)));
        System.out.println(report);

        // the refused writes left nothing behind
        Http.Answer count = pipeline(full, host(target, ORG), "SELECT count(*) FROM t");
        String rowsInT = count.json() == null ? count.text()
                : count.json().path("results").path(0).path("response").path("result").path("rows").path(0).path(0)
                .path("value").asString();
        if (!String.valueOf(expectedRows).equals(rowsInT)) {
            failures.add("T holds " + rowsInT + " rows after the matrix, expected " + expectedRows
                    + " (one per accepted write): " + count.text());
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " wrong cell(s):\n  " + String.join("\n  ", failures) + "\n" + report);
        }
    }

    private void assertOutcome(String what, String token, String hostHeader, String sql, Outcome expected)
            throws Exception {
        Http.Answer a = pipeline(token, hostHeader, sql);
        assertNull(mismatch(expected, a), () -> what + ": expected " + expected + " for " + sql + ", got "
                + describe(a));
    }

    private void awaitOk(String token, String hostHeader, String sql) throws Exception {
        String problem = ApiFixtures.await(Duration.ofSeconds(30), () -> mismatch(Outcome.OK,
                pipeline(token, hostHeader, sql)));
        assertNull(problem, () -> "database at " + hostHeader + " never answered " + sql + ": " + problem + "\n"
                + platform.logTails(40));
    }

    /** Waits (≤ 3 s, the documented propagation of keys and revocations) until a read gives {@code expected}. */
    private void awaitOutcome(String what, String token, String hostHeader, Outcome expected) throws Exception {
        String problem = ApiFixtures.await(PROPAGATION, () -> mismatch(expected,
                pipeline(token, hostHeader, "SELECT 1")));
        assertNull(problem, () -> what + ": expected " + expected + " within " + PROPAGATION + ", got " + problem);
    }
}
