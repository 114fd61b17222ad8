package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartAndLruTest {
    @TempDir
    Path dir;

    @Test
    void restartFindsDatabasesAndKeysOnDisk() throws Exception {
        String db;
        Map<String, KeyPair> keys;
        try (Worker w = new Worker(dir)) {
            db = w.createDatabase("keep", "acme");
            String t = w.token(db);
            w.exec(t, "CREATE TABLE k (v TEXT)");
            w.exec(t, "INSERT INTO k VALUES ('survives')");
            keys = w.keys;
        }
        try (Worker w2 = new Worker(dir)) {
            w2.keys.putAll(keys);
            assertThat(w2.exec(w2.token(db), "SELECT v FROM k").at("/rows/0/0/value").asString()).isEqualTo("survives");
            assertThat(w2.send("GET", "/internal/v1/databases", null, "Bearer " + Worker.SECRET, null).body()).contains(db);
        }
    }

    @Test
    void lruClosesIdleDatabasesAndReopensThem() throws Exception {
        try (Worker w = new Worker(dir, "platform.worker.max-open-databases=2")) {
            DatabaseRegistry registry = w.ctx.getBean(DatabaseRegistry.class);
            List<String> dbs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String db = w.createDatabase("lru" + i, "acme");
                dbs.add(db);
                w.exec(w.token(db), "CREATE TABLE v (n)");
                w.exec(w.token(db), "INSERT INTO v VALUES (" + i + ")");
            }
            assertThat(registry.openCount()).isLessThanOrEqualTo(2);
            assertThat(registry.isOpen(dbs.get(0))).isFalse();
            for (int i = 0; i < 4; i++) {
                assertThat(w.exec(w.token(dbs.get(i)), "SELECT n FROM v").at("/rows/0/0/value").asString())
                        .isEqualTo(String.valueOf(i));
            }
            // a database held by an open transaction is never evicted
            String held = dbs.get(0);
            var r = w.pipeline(w.token(held), "{\"baton\":null,\"requests\":[" + Worker.stmtReq("BEGIN IMMEDIATE") + ","
                    + Worker.stmtReq("INSERT INTO v VALUES (100)") + "]}");
            for (int i = 1; i < 4; i++) {
                w.exec(w.token(dbs.get(i)), "SELECT 1");
            }
            assertThat(registry.isOpen(held)).isTrue();
            var r2 = w.pipeline(w.token(held), "{\"baton\":\"" + r.get("baton").asString() + "\",\"requests\":["
                    + Worker.stmtReq("COMMIT") + ",{\"type\":\"close\"}]}");
            assertThat(r2.at("/results/0/type").asString()).isEqualTo("ok");
            assertThat(w.exec(w.token(held), "SELECT count(*) FROM v").at("/rows/0/0/value").asString()).isEqualTo("2");
        }
    }
}
