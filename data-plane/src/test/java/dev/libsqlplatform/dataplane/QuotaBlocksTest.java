package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The worker's side of quotas (issue 13): blocked writes still let DELETE, DROP and VACUUM through so a tenant can
 * get back under; the organization's storage cap answers BLOCKED naming the quota, reads keep working, and space
 * freed by DELETE is written again; storage is counted as the pages of tables and indexes.
 */
class QuotaBlocksTest {
    @TempDir
    static Path dir;
    static Worker w;

    @BeforeAll
    static void start() {
        w = new Worker(dir);
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    private static String put(String id, String name, long maxBytes, boolean blockWrites, String storageReason) {
        return "{\"name\":\"" + name + "\",\"organization\":\"acme\",\"maxBytes\":" + maxBytes + ",\"keys\":[{\"kid\":\"k1\","
                + "\"publicKey\":\"" + Worker.rawPublicKey(w.keys.get(id)) + "\"}],\"blockWrites\":" + blockWrites
                + (blockWrites ? ",\"blockReason\":\"organization acme: monthly rows written quota of 100 reached\"" : "")
                + (storageReason != null ? ",\"storageLimitReason\":\"" + storageReason + "\"" : "") + "}";
    }

    private static String code(JsonNode result) {
        return result.has("code") ? result.get("code").asString() : "ok";
    }

    @Test
    void blockedWritesStillDeleteDropAndVacuum() throws Exception {
        String id = UUID.randomUUID().toString();
        w.createDatabase(id, "blk", "acme", 0, java.util.List.of());
        String t = w.token(id);
        w.exec(t, "CREATE TABLE a (v)");
        w.exec(t, "CREATE TABLE b (v)");
        w.exec(t, "INSERT INTO a VALUES (1), (2), (3)");
        w.put(id, put(id, "blk", 0, true, null));

        JsonNode insert = w.exec(t, "INSERT INTO a VALUES (4)");
        assertThat(code(insert)).isEqualTo("BLOCKED");
        assertThat(insert.get("message").asString()).contains("monthly rows written quota of 100 reached");
        assertThat(code(w.exec(t, "UPDATE a SET v = 0"))).isEqualTo("BLOCKED");
        assertThat(code(w.exec(t, "CREATE TABLE c (v)"))).isEqualTo("BLOCKED");
        assertThat(code(w.exec(t, "WITH x AS (SELECT 1) INSERT INTO a SELECT * FROM x"))).isNotEqualTo("ok");
        // reads work
        assertThat(w.exec(t, "SELECT count(*) FROM a").at("/rows/0/0/value").asString()).isEqualTo("3");
        // what removes data works
        assertThat(code(w.exec(t, "DELETE FROM a WHERE v = 1"))).isEqualTo("ok");
        assertThat(code(w.exec(t, "  delete from a where v = 2"))).isEqualTo("ok");
        assertThat(code(w.exec(t, "DROP TABLE b"))).isEqualTo("ok");
        assertThat(code(w.exec(t, "VACUUM"))).isEqualTo("ok");
        assertThat(w.exec(t, "SELECT count(*) FROM a").at("/rows/0/0/value").asString()).isEqualTo("1");
        // a read-only token still may not
        assertThat(code(w.exec(w.roToken(id), "DELETE FROM a"))).isNotEqualTo("ok");
        // inside a transaction (opened read-only for a write-blocked caller) every write stays refused
        JsonNode txn = w.pipeline(t, "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"BEGIN\"}},"
                + "{\"type\":\"execute\",\"stmt\":{\"sql\":\"DELETE FROM a\"}},{\"type\":\"close\"}]}");
        assertThat(txn.at("/results/1/error/code").asString()).isIn("BLOCKED", "SQLITE_READONLY");
        // lifted: writes again
        w.put(id, put(id, "blk", 0, false, null));
        assertThat(code(w.exec(t, "INSERT INTO a VALUES (9)"))).isEqualTo("ok");
    }

    @Test
    void theOrganizationsStorageCapAnswersBlockedAndDeleteMakesRoom() throws Exception {
        String id = UUID.randomUUID().toString();
        w.createDatabase(id, "full", "acme", 0, java.util.List.of());
        String t = w.token(id);
        w.exec(t, "CREATE TABLE big (v BLOB)");
        DatabaseRegistry registry = w.ctx.getBean(DatabaseRegistry.class);
        long empty = registry.storageBytes(id);
        assertThat(empty).isEqualTo(2 * 4096); // sqlite_schema + the table's root page
        String reason = "organization acme reached its storage quota of 200000 bytes (plan starter)";
        w.put(id, put(id, "full", 200_000, false, reason));
        JsonNode last = null;
        int inserted = 0;
        for (int i = 0; i < 100; i++) {
            last = w.exec(t, "INSERT INTO big VALUES (zeroblob(8000))");
            if (!code(last).equals("ok")) {
                break;
            }
            inserted++;
        }
        assertThat(code(last)).isEqualTo("BLOCKED");
        assertThat(last.get("message").asString()).isEqualTo("writes are blocked for this database: " + reason);
        assertThat(inserted).isBetween(15, 25);
        long used = registry.storageBytes(id);
        assertThat(used).isLessThanOrEqualTo(200_000).isGreaterThan(150_000);
        // reads work at the limit
        assertThat(w.exec(t, "SELECT count(*) FROM big").at("/rows/0/0/value").asString()).isEqualTo(String.valueOf(inserted));
        // DELETE frees pages: counted storage falls and the space is written again
        assertThat(code(w.exec(t, "DELETE FROM big WHERE rowid % 2 = 0"))).isEqualTo("ok");
        assertThat(registry.storageBytes(id)).isLessThan(used - 50_000);
        assertThat(code(w.exec(t, "INSERT INTO big VALUES (zeroblob(8000))"))).isEqualTo("ok");
        // DROP TABLE at the limit works too
        for (int i = 0; i < 100 && code(w.exec(t, "INSERT INTO big VALUES (zeroblob(8000))")).equals("ok"); i++) {
            // fill up again
        }
        assertThat(code(w.exec(t, "DROP TABLE big"))).isEqualTo("ok");
        assertThat(registry.storageBytes(id)).isEqualTo(4096);
        assertThat(code(w.exec(t, "CREATE TABLE again (v)"))).isEqualTo("ok");
        // without a storage reason the cap is the database's own size_limit: SQLITE_FULL as before
        w.put(id, put(id, "full", 12_288, false, null));
        JsonNode full = null;
        for (int i = 0; i < 60; i++) {
            full = w.exec(t, "INSERT INTO again VALUES (zeroblob(8000))");
            if (!code(full).equals("ok")) {
                break;
            }
        }
        assertThat(code(full)).isEqualTo("SQLITE_FULL");
    }
}
