package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class AuthAndAdminTest {
    @TempDir
    static Path dir;
    static Worker w;
    static String db;
    static String other;

    @BeforeAll
    static void start() throws Exception {
        w = new Worker(dir, "platform.worker.base-domain=db.example.test");
        db = w.createDatabase("orders", "acme");
        other = w.createDatabase("orders", "globex");
        w.exec(w.token(db), "CREATE TABLE t (v)");
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    private static final String SELECT = "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}";

    private void assertUnauthorized(HttpResponse<String> r, String messagePart) throws Exception {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = Worker.JSON.readTree(r.body());
        assertThat(body.get("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(body.get("message").asString()).contains(messagePart);
    }

    @Test
    void refusesMissingGarbageForeignExpiredAndWrongIdTokens() throws Exception {
        assertUnauthorized(w.pipelineRaw(null, SELECT), "authentication required");
        assertUnauthorized(w.pipelineRaw("garbage", SELECT), "malformed");
        assertUnauthorized(w.pipelineRaw("a.b.c", SELECT), "malformed");
        // signed with another database's key but claiming this database
        String foreign = Worker.token(w.keys.get(other).getPrivate(), db, "rw", null, "j1");
        assertUnauthorized(w.pipelineRaw(foreign, SELECT), "signature");
        // a random key entirely
        KeyPair random = Worker.newKeyPair();
        assertUnauthorized(w.pipelineRaw(Worker.token(random.getPrivate(), db, "rw", null, "j2"), SELECT), "signature");
        // expired
        long past = System.currentTimeMillis() / 1000 - 60;
        assertUnauthorized(w.pipelineRaw(Worker.token(w.keys.get(db).getPrivate(), db, "rw", past, "j3"), SELECT), "expired");
        // no id claim
        assertUnauthorized(w.pipelineRaw(Worker.token(w.keys.get(db).getPrivate(), null, "rw", null, "j4"), SELECT), "id");
        // unknown database id: same answer as a bad signature (existence does not leak)
        assertUnauthorized(w.pipelineRaw(Worker.token(random.getPrivate(), "nope", "rw", null, "j5"), SELECT), "signature");
        // x-authorization is accepted too
        HttpResponse<String> viaX = w.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(w.url("/v2/pipeline")))
                .header("x-authorization", "Bearer " + w.token(db))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(SELECT)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaX.statusCode()).isEqualTo(200);
    }

    @Test
    void wrongIdViaHostLabel() throws Exception {
        // a valid token for db, sent to the hostname of the other database
        HttpResponse<String> r = w.send("POST", "/v2/pipeline", SELECT, "Bearer " + w.token(db), "orders-globex.db.example.test");
        assertUnauthorized(r, "");
    }

    @Test
    void hostLabelRouting() throws Exception {
        HttpResponse<String> r = w.send("POST", "/v2/pipeline",
                "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT count(*) FROM t\"}}]}",
                "Bearer " + w.token(db), "orders-acme.db.example.test:8081");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"type\":\"ok\"");
        HttpResponse<String> unknown = w.send("POST", "/v2/pipeline", SELECT, "Bearer " + w.token(db),
                "nothing-here.db.example.test");
        assertUnauthorized(unknown, "");
    }

    @Test
    void readOnlyTokenMayNotWrite() throws Exception {
        String ro = w.roToken(db);
        assertThat(w.exec(ro, "SELECT count(*) FROM t").has("rows")).isTrue();
        JsonNode err = w.exec(ro, "INSERT INTO t VALUES (1)");
        assertThat(err.get("code").asString()).isEqualTo("PERMISSION_DENIED");
        assertThat(err.get("message").asString()).contains("read-only");
        JsonNode withWrite = w.exec(ro, "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x");
        assertThat(withWrite.get("code").asString()).isEqualTo("PERMISSION_DENIED");
        assertThat(w.exec(ro, "PRAGMA user_version = 3").get("code").asString()).isEqualTo("PERMISSION_DENIED");
    }

    @Test
    void revokedTokenIsRefused() throws Exception {
        String id = UUID.randomUUID().toString();
        w.createDatabase(id, "rev", "acme", 0, List.of());
        String jti = "revoke-me";
        String t = Worker.token(w.keys.get(id).getPrivate(), id, "rw", null, jti);
        assertThat(w.pipelineRaw(t, SELECT).statusCode()).isEqualTo(200);
        w.createDatabase(id, "rev", "acme", 0, List.of(jti));
        assertUnauthorized(w.pipelineRaw(t, SELECT), "revoked");
    }

    @Test
    void keyRotationInvalidatesCachedVerification() throws Exception {
        String id = UUID.randomUUID().toString();
        w.createDatabase(id, "rot", "acme", 0, List.of());
        String t = w.token(id);
        assertThat(w.pipelineRaw(t, SELECT).statusCode()).isEqualTo(200);
        w.keys.put(id, Worker.newKeyPair());
        w.createDatabase(id, "rot", "acme", 0, List.of());
        assertUnauthorized(w.pipelineRaw(t, SELECT), "signature");
        assertThat(w.pipelineRaw(w.token(id), SELECT).statusCode()).isEqualTo(200);
    }

    @Test
    void internalApiNeedsSecretAndIsIdempotent() throws Exception {
        String id = UUID.randomUUID().toString();
        String body = "{\"name\":\"idem\",\"organization\":\"acme\",\"maxBytes\":0,\"keys\":[{\"kid\":\"k1\",\"publicKey\":\""
                + Worker.rawPublicKey(Worker.newKeyPair()) + "\"}]}";
        HttpResponse<String> noSecret = w.send("PUT", "/internal/v1/databases/" + id, body, null, null);
        assertThat(noSecret.statusCode()).isEqualTo(401);
        assertThat(noSecret.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(w.send("PUT", "/internal/v1/databases/" + id, body, "Bearer wrong", null).statusCode()).isEqualTo(401);
        assertThat(w.send("GET", "/internal/v1/databases", null, null, null).statusCode()).isEqualTo(401);
        assertThat(w.send("DELETE", "/internal/v1/databases/" + id, null, "Bearer nope", null).statusCode()).isEqualTo(401);

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> put = w.send("PUT", "/internal/v1/databases/" + id, body, "Bearer " + Worker.SECRET, null);
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(Worker.JSON.readTree(put.body()).get("state").asString()).isEqualTo("ready");
        }
        assertThat(dir.resolve("dbs").resolve(id).resolve("data.db")).exists();
        assertThat(dir.resolve("dbs").resolve(id).resolve("meta.json")).exists();
        HttpResponse<String> list = w.send("GET", "/internal/v1/databases", null, "Bearer " + Worker.SECRET, null);
        assertThat(list.body()).contains(id).contains("\"name\":\"idem\"");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> del = w.send("DELETE", "/internal/v1/databases/" + id, null, "Bearer " + Worker.SECRET, null);
            assertThat(del.statusCode()).isEqualTo(200);
            assertThat(Worker.JSON.readTree(del.body()).get("state").asString()).isEqualTo("deleted");
        }
        assertThat(dir.resolve("dbs").resolve(id)).doesNotExist();
        assertThat(w.send("GET", "/internal/v1/databases", null, "Bearer " + Worker.SECRET, null).body()).doesNotContain(id);
    }

    @Test
    void blockedDatabaseAnswersBlocked() throws Exception {
        String id = UUID.randomUUID().toString();
        w.createDatabase(id, "blk", "acme", 0, List.of());
        String body = "{\"name\":\"blk\",\"organization\":\"acme\",\"maxBytes\":0,\"keys\":[{\"kid\":\"k1\",\"publicKey\":\""
                + Worker.rawPublicKey(w.keys.get(id)) + "\"}],\"blockWrites\":true}";
        assertThat(w.send("PUT", "/internal/v1/databases/" + id, body, "Bearer " + Worker.SECRET, null).statusCode()).isEqualTo(200);
        String t = w.token(id);
        assertThat(w.exec(t, "SELECT 1").has("rows")).isTrue();
        assertThat(w.exec(t, "CREATE TABLE x (a)").get("code").asString()).isEqualTo("BLOCKED");
    }
}
