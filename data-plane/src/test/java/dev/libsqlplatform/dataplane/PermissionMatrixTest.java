package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Tokens × operations on a real worker (real SQLite files, real HTTP, Host-label routing), asserting the
 * exact HTTP status and Hrana code of every combination (docs/internals.md "Token lifecycle and usage").
 */
class PermissionMatrixTest {
    static final String DOMAIN = "db.example.test";
    static final String G1 = "11111111-1111-1111-1111-111111111111";
    static final String G2 = "22222222-2222-2222-2222-222222222222";
    static final String G3 = "33333333-3333-3333-3333-333333333333";
    static final String REVOKED_JTI = "revoked-jti-1";

    @TempDir
    static Path dir;
    static Worker w;
    static final String D = "db-main";     // main-acme, group G1: the database under test
    static final String D2 = "db-sibling"; // sibling-acme, group G1
    static final String E = "db-other";    // other-acme, group G2: "other database" column
    static final String F = "db-foreign";  // orders-globex, group G3: another organization
    static final KeyPair dKey = Worker.newKeyPair();
    static final KeyPair dOldKey = Worker.newKeyPair();
    static final KeyPair d2Key = Worker.newKeyPair();
    static final KeyPair eKey = Worker.newKeyPair();
    static final KeyPair fKey = Worker.newKeyPair();
    static final KeyPair g1Key = Worker.newKeyPair();
    static final KeyPair g2Key = Worker.newKeyPair();
    static final KeyPair g3Key = Worker.newKeyPair();

    static String key(String kid, KeyPair kp, String scope) {
        return "{\"kid\":\"" + kid + "\",\"publicKey\":\"" + Worker.rawPublicKey(kp) + "\""
                + (scope == null ? "" : ",\"scope\":\"" + scope + "\"") + "}";
    }

    static String putBody(String name, String org, String group, List<String> keys, List<String> revoked, String extra) {
        return "{\"name\":\"" + name + "\",\"organization\":\"" + org + "\",\"groupId\":\"" + group
                + "\",\"maxBytes\":0,\"keys\":[" + String.join(",", keys) + "],\"revokedTokenIds\":"
                + Worker.JSON.writeValueAsString(revoked) + ",\"blockReads\":false,\"blockWrites\":false" + extra + "}";
    }

    @BeforeAll
    static void start() throws Exception {
        w = new Worker(dir, "platform.worker.base-domain=" + DOMAIN);
        // D first with its old key, then "rotated": the old key is no longer in its meta
        w.put(D, putBody("main", "acme", G1, List.of(key("d0", dOldKey, "database"), key("g1", g1Key, "group")), List.of(), ""));
        w.put(D, putBody("main", "acme", G1, List.of(key("d1", dKey, "database"), key("g1", g1Key, "group")),
                List.of(REVOKED_JTI), ""));
        w.put(D2, putBody("sibling", "acme", G1, List.of(key("d2", d2Key, null), key("g1", g1Key, "group")), List.of(), ""));
        w.put(E, putBody("other", "acme", G2, List.of(key("e1", eKey, "database"), key("g2", g2Key, "group")), List.of(), ""));
        w.put(F, putBody("orders", "globex", G3, List.of(key("f1", fKey, "database"), key("g3", g3Key, "group")), List.of(), ""));
        assertThat(run(dbToken(dKey, "d1", D, "rw"), "main-acme", "CREATE TABLE t (v)").status()).isEqualTo("ok");
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static String dbToken(KeyPair kp, String kid, String id, String a) {
        return Worker.sign(kp.getPrivate(), kid, "{\"a\":\"" + a + "\",\"iat\":" + now() + ",\"id\":\"" + id
                + "\",\"jti\":\"" + UUID.randomUUID() + "\"}");
    }

    static String groupToken(KeyPair kp, String kid, String gid, String a) {
        return Worker.sign(kp.getPrivate(), kid, "{\"a\":\"" + a + "\",\"gid\":\"" + gid + "\",\"iat\":" + now()
                + ",\"jti\":\"" + UUID.randomUUID() + "\"}");
    }

    /** Outcome of one statement: "ok", a Hrana error code, or "HTTP <status> <code>". */
    record Outcome(String status, String message) {
    }

    static int ddlCounter;

    static Outcome run(String token, String hostLabel, String sql) throws Exception {
        String body = "{\"baton\":null,\"requests\":[" + Worker.stmtReq(sql) + ",{\"type\":\"close\"}]}";
        HttpResponse<String> r = w.send("POST", "/v2/pipeline", body, token == null ? null : "Bearer " + token,
                hostLabel + "." + DOMAIN);
        JsonNode json = Worker.JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            return new Outcome("HTTP " + r.statusCode() + " " + json.get("code").asString(), json.get("message").asString());
        }
        JsonNode first = json.get("results").get(0);
        if (first.get("type").asString().equals("ok")) {
            return new Outcome("ok", "");
        }
        return new Outcome(first.get("error").get("code").asString(), first.get("error").get("message").asString());
    }

    static final String OK = "ok";
    static final String DENIED = "PERMISSION_DENIED";
    static final String U401 = "HTTP 401 UNAUTHORIZED";

    /** expected outcome for {read, write, DDL, other database}, plus a substring of the 401 message when refused */
    record Row(String name, String token, String read, String write, String ddl, String other, String message) {
    }

    @Test
    void everyTokenKindAgainstEveryOperation() throws Exception {
        KeyPair random = Worker.newKeyPair();
        String goodPayload = "{\"a\":\"rw\",\"iat\":" + now() + ",\"id\":\"" + D + "\",\"jti\":\"x\"}";
        String validParts = Worker.sign(dKey.getPrivate(), "d1", goodPayload);
        String forgedSig = Worker.sign(random.getPrivate(), "d1", goodPayload);
        String badSignature = validParts.substring(0, validParts.lastIndexOf('.'))
                + forgedSig.substring(forgedSig.lastIndexOf('.'));

        List<Row> rows = new ArrayList<>();
        rows.add(new Row("full a:rw", dbToken(dKey, "d1", D, "rw"), OK, OK, OK, U401, "signature"));
        rows.add(new Row("read-only a:ro", dbToken(dKey, "d1", D, "ro"), OK, DENIED, DENIED, U401, "signature"));
        rows.add(new Row("group rw", groupToken(g1Key, "g1", G1, "rw"), OK, OK, OK, U401, "signature"));
        // the other group's token is valid for its own database E (the "other database" column)
        rows.add(new Row("group token of another group", groupToken(g2Key, "g2", G2, "rw"), U401, U401, U401, OK,
                "signature"));
        rows.add(new Row("p rw", Worker.sign(dKey.getPrivate(), "d1", "{\"a\":\"ro\",\"iat\":" + now() + ",\"id\":\"" + D
                + "\",\"jti\":\"p1\",\"p\":{\"rw\":{\"ns\":[\"" + D + "\"]},\"roa\":{\"ns\":[\"" + E + "\"]}}}"),
                OK, OK, OK, U401, "signature"));
        rows.add(new Row("p ro (a:rw ignored)", Worker.sign(dKey.getPrivate(), "d1", "{\"a\":\"rw\",\"iat\":" + now()
                + ",\"id\":\"" + D + "\",\"jti\":\"p2\",\"p\":{\"ro\":{\"ns\":[\"" + D + "\"]}}}"),
                OK, DENIED, DENIED, U401, "signature"));
        rows.add(new Row("p listing another db only", Worker.sign(dKey.getPrivate(), "d1", "{\"a\":\"rw\",\"iat\":" + now()
                + ",\"jti\":\"p3\",\"p\":{\"rw\":{\"ns\":[\"" + E + "\"]}}}"),
                U401, U401, U401, U401, "token does not grant access to this database"));
        rows.add(new Row("expired", Worker.sign(dKey.getPrivate(), "d1", "{\"a\":\"rw\",\"exp\":" + (now() - 60)
                + ",\"iat\":" + (now() - 120) + ",\"id\":\"" + D + "\",\"jti\":\"e1\"}"),
                U401, U401, U401, U401, "expired"));
        rows.add(new Row("revoked jti", Worker.sign(dKey.getPrivate(), "d1", "{\"a\":\"rw\",\"iat\":" + now()
                + ",\"id\":\"" + D + "\",\"jti\":\"" + REVOKED_JTI + "\"}"),
                U401, U401, U401, U401, "token has been revoked"));
        rows.add(new Row("rotated (old key)", dbToken(dOldKey, "d0", D, "rw"), U401, U401, U401, U401, "signature"));
        rows.add(new Row("other database's token", dbToken(eKey, "e1", E, "rw"), U401, U401, U401, OK, "signature"));
        rows.add(new Row("other organization's token", dbToken(fKey, "f1", F, "rw"), U401, U401, U401, U401, "signature"));
        rows.add(new Row("no id claim", Worker.sign(dKey.getPrivate(), "d1", "{\"a\":\"rw\",\"iat\":" + now()
                + ",\"jti\":\"n1\"}"), U401, U401, U401, U401, "no `id` claim"));
        rows.add(new Row("bad signature", badSignature, U401, U401, U401, U401, "signature"));
        rows.add(new Row("garbage", "garbage", U401, U401, U401, U401, "malformed"));

        Map<String, String> failures = new LinkedHashMap<>();
        for (Row row : rows) {
            check(failures, row, "read", run(row.token(), "main-acme", "SELECT count(*) FROM t"), row.read());
            check(failures, row, "write", run(row.token(), "main-acme", "INSERT INTO t VALUES (1)"), row.write());
            check(failures, row, "DDL", run(row.token(), "main-acme", "CREATE TABLE x" + (++ddlCounter) + " (a)"), row.ddl());
            check(failures, row, "other database", run(row.token(), "other-acme", "SELECT 1"), row.other());
        }
        assertThat(failures).isEmpty();
    }

    private static void check(Map<String, String> failures, Row row, String op, Outcome got, String expected) {
        boolean ok = got.status().equals(expected);
        if (ok && got.status().equals(U401) && !op.equals("other database") && !got.message().contains(row.message())) {
            ok = false;
        }
        if (ok && got.status().equals(DENIED) && !got.message().contains("read-only")) {
            ok = false;
        }
        if (!ok) {
            failures.put(row.name() + " × " + op, "expected " + expected + " (" + row.message() + "), got "
                    + got.status() + ": " + got.message());
        }
    }

    @Test
    void groupTokenOpensEveryDatabaseOfItsGroupAndOnlyThose() throws Exception {
        String g = groupToken(g1Key, "g1", G1, "ro");
        assertThat(run(g, "sibling-acme", "SELECT 1").status()).isEqualTo(OK);
        assertThat(run(g, "sibling-acme", "CREATE TABLE y (a)").status()).isEqualTo(DENIED);
        assertThat(run(g, "orders-globex", "SELECT 1").status()).isEqualTo(U401);
        // a group token needs the hostname: with an IP Host there is no database to select
        HttpResponse<String> viaIp = w.pipelineRaw(g, "{\"requests\":[" + Worker.stmtReq("SELECT 1") + "]}");
        assertThat(viaIp.statusCode()).isEqualTo(401);
        // a group key does not verify database tokens, nor a database key group tokens
        assertThat(run(dbToken(g1Key, "g1", D, "rw"), "main-acme", "SELECT 1").status()).isEqualTo(U401);
        assertThat(run(groupToken(dKey, "d1", G1, "rw"), "main-acme", "SELECT 1").status()).isEqualTo(U401);
        // p with a tag naming the group, signed by the group key
        String tagged = Worker.sign(g1Key.getPrivate(), "g1", "{\"gid\":\"" + G1 + "\",\"iat\":" + now()
                + ",\"jti\":\"t1\",\"p\":{\"rw\":{\"tags\":[\"" + G1 + "\"]}}}");
        assertThat(run(tagged, "sibling-acme", "CREATE TABLE IF NOT EXISTS z (a)").status()).isEqualTo(OK);
    }

    @Test
    void groupRotationAndRevocationTakeEffectAtOnce() throws Exception {
        String id = "db-rot";
        KeyPair db = Worker.newKeyPair();
        KeyPair group = Worker.newKeyPair();
        w.put(id, putBody("rot", "acme", G2, List.of(key("r1", db, null), key("gr", group, "group")), List.of(), ""));
        String gt = Worker.sign(group.getPrivate(), "gr", "{\"a\":\"rw\",\"gid\":\"" + G2 + "\",\"iat\":" + now()
                + ",\"jti\":\"gj1\"}");
        assertThat(run(gt, "rot-acme", "SELECT 1").status()).isEqualTo(OK); // now cached
        w.put(id, putBody("rot", "acme", G2, List.of(key("r1", db, null), key("gr", group, "group")), List.of("gj1"), ""));
        Outcome revoked = run(gt, "rot-acme", "SELECT 1");
        assertThat(revoked.status()).isEqualTo(U401);
        assertThat(revoked.message()).isEqualTo("the token has been revoked");
        String gt2 = Worker.sign(group.getPrivate(), "gr", "{\"a\":\"rw\",\"gid\":\"" + G2 + "\",\"iat\":" + now()
                + ",\"jti\":\"gj2\"}");
        assertThat(run(gt2, "rot-acme", "SELECT 1").status()).isEqualTo(OK);
        KeyPair newGroup = Worker.newKeyPair();
        w.put(id, putBody("rot", "acme", G2, List.of(key("r1", db, null), key("gr2", newGroup, "group")), List.of(), ""));
        assertThat(run(gt2, "rot-acme", "SELECT 1").status()).isEqualTo(U401);
        // moved to another group: tokens of the old group stop working
        String gt3 = Worker.sign(newGroup.getPrivate(), "gr2", "{\"a\":\"rw\",\"gid\":\"" + G2 + "\",\"iat\":" + now()
                + ",\"jti\":\"gj3\"}");
        assertThat(run(gt3, "rot-acme", "SELECT 1").status()).isEqualTo(OK);
        w.put(id, putBody("rot", "acme", G3, List.of(key("r1", db, null), key("gr2", newGroup, "group")), List.of(), ""));
        Outcome moved = run(gt3, "rot-acme", "SELECT 1");
        assertThat(moved.status()).isEqualTo(U401);
        assertThat(moved.message()).contains("another group");
    }

    @Test
    void blockedAnswersBlockedWithReason() throws Exception {
        String id = "db-blk";
        KeyPair kp = Worker.newKeyPair();
        List<String> keys = List.of(key("b1", kp, null));
        w.put(id, putBody("blk", "acme", G1, keys, List.of(), ""));
        String t = dbToken(kp, "b1", id, "rw");
        assertThat(run(t, "blk-acme", "CREATE TABLE t (v)").status()).isEqualTo(OK);
        w.put(id, putBody("blk", "acme", G1, keys, List.of(), "").replace("\"blockWrites\":false",
                "\"blockWrites\":true,\"blockReason\":\"the organization exceeded its storage quota\""));
        assertThat(run(t, "blk-acme", "SELECT count(*) FROM t").status()).isEqualTo(OK);
        for (String write : List.of("INSERT INTO t VALUES (1)", "CREATE TABLE u (a)")) {
            Outcome o = run(t, "blk-acme", write);
            assertThat(o.status()).isEqualTo("BLOCKED");
            assertThat(o.message()).isEqualTo("writes are blocked for this database: the organization exceeded its storage quota");
        }
        // a read-only token on a write-blocked database: BLOCKED wins (it says why)
        assertThat(run(dbToken(kp, "b1", id, "ro"), "blk-acme", "INSERT INTO t VALUES (1)").status()).isEqualTo("BLOCKED");
        w.put(id, putBody("blk", "acme", G1, keys, List.of(), "").replace("\"blockReads\":false", "\"blockReads\":true"));
        Outcome read = run(t, "blk-acme", "SELECT count(*) FROM t");
        assertThat(read.status()).isEqualTo("BLOCKED");
        assertThat(read.message()).startsWith("reads and writes are blocked for this database: ");
    }

    @Test
    void allowedIpsRefuseOtherAddressesWith403() throws Exception {
        String id = "db-ip";
        KeyPair kp = Worker.newKeyPair();
        List<String> keys = List.of(key("i1", kp, null));
        String t = dbToken(kp, "i1", id, "rw");
        w.put(id, putBody("ip", "acme", G1, keys, List.of(), ",\"allowedIps\":[\"10.0.0.0/8\",\"2001:db8::/32\"]"));
        Outcome o = run(t, "ip-acme", "SELECT 1");
        assertThat(o.status()).isEqualTo("HTTP 403 FORBIDDEN");
        // an invalid token is still a 401, not a 403
        assertThat(run("garbage", "ip-acme", "SELECT 1").status()).isEqualTo(U401);
        w.put(id, putBody("ip", "acme", G1, keys, List.of(), ",\"allowedIps\":[\"10.0.0.0/8\",\"127.0.0.0/8\"]"));
        assertThat(run(t, "ip-acme", "SELECT 1").status()).isEqualTo(OK);
        w.put(id, putBody("ip", "acme", G1, keys, List.of(), ",\"allowedIps\":[]"));
        assertThat(run(t, "ip-acme", "SELECT 1").status()).isEqualTo(OK);
        HttpResponse<String> bad = w.send("PUT", "/internal/v1/databases/" + id,
                putBody("ip", "acme", G1, keys, List.of(), ",\"allowedIps\":[\"example.com\"]"), "Bearer " + Worker.SECRET, null);
        assertThat(bad.statusCode()).isEqualTo(400);
        HttpResponse<String> badScope = w.send("PUT", "/internal/v1/databases/" + id,
                putBody("ip", "acme", G1, List.of(key("i1", kp, "organization")), List.of(), ""), "Bearer " + Worker.SECRET, null);
        assertThat(badScope.statusCode()).isEqualTo(400);
    }

    @Test
    void metaJsonKeepsScopesAndGroup() throws Exception {
        String meta = Files.readString(dir.resolve("dbs").resolve(D).resolve("meta.json"));
        JsonNode m = Worker.JSON.readTree(meta);
        assertThat(m.get("groupId").asString()).isEqualTo(G1);
        assertThat(m.get("keys").get(1).get("scope").asString()).isEqualTo("group");
        // a key pushed without scope is stored as a database key
        JsonNode sibling = Worker.JSON.readTree(Files.readString(dir.resolve("dbs").resolve(D2).resolve("meta.json")));
        assertThat(sibling.get("keys").get(0).get("scope").asString()).isEqualTo("database");
    }
}
