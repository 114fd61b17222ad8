package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.dataplane.support.StandInRoutes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A starting worker asks the control plane which of its databases are not routed to it (copies left while it was
 * down) and deletes them before it serves anything; a control plane that does not answer is not waited for.
 */
class StrayCheckAtStartTest {
    @TempDir
    Path dir;

    @Test
    void copiesTheControlPlaneDisownsAreDeletedBeforeAnythingIsServed() throws Exception {
        try (StandInRoutes cp = new StandInRoutes(Worker.SECRET)) {
            String stray;
            String kept;
            Map<String, KeyPair> keys;
            try (Worker w = new Worker(dir, cp.workerSetting(), "platform.worker.id=w-1")) {
                stray = w.createDatabase("left", "acme");
                kept = w.createDatabase("mine", "acme");
                w.exec(w.token(stray), "CREATE TABLE t (v TEXT)");
                w.exec(w.token(kept), "CREATE TABLE t (v TEXT)");
                w.exec(w.token(kept), "INSERT INTO t VALUES ('kept')");
                keys = w.keys;
            }
            // while it was down, the platform gave `left` up on this worker
            cp.strays.add(stray);
            cp.strayChecks.clear();
            try (Worker w = new Worker(dir, cp.workerSetting(), "platform.worker.id=w-1")) {
                w.keys.putAll(keys);
                assertThat(cp.strayChecks).hasSize(1);
                assertThat(cp.strayChecks.get(0)).contains("\"workerId\":\"w-1\"").contains(stray).contains(kept);
                String held = w.send("GET", "/internal/v1/databases", null, "Bearer " + Worker.SECRET, null).body();
                assertThat(held).contains(kept).doesNotContain(stray);
                assertThat(Files.exists(dir.resolve("dbs").resolve(stray))).isFalse();
                assertThat(w.exec(w.token(kept), "SELECT v FROM t").at("/rows/0/0/value").asString()).isEqualTo("kept");
                // the stray's token no longer reaches a copy here (and the control plane knows no route for it)
                assertThat(w.pipelineRaw(w.token(stray), "{\"baton\":null,\"requests\":[" + Worker.stmtReq("SELECT * FROM t")
                        + "]}").statusCode()).isEqualTo(401);
            }
        }
    }

    @Test
    void aControlPlaneThatDoesNotAnswerIsNotWaitedFor() throws Exception {
        try (StandInRoutes cp = new StandInRoutes(Worker.SECRET)) {
            String db;
            Map<String, KeyPair> keys;
            try (Worker w = new Worker(dir, cp.workerSetting())) {
                db = w.createDatabase("mine", "acme");
                w.exec(w.token(db), "CREATE TABLE t (v TEXT)");
                keys = w.keys;
            }
            cp.strays.add(db);
            cp.strayCheckDown = true;
            try (Worker w = new Worker(dir, cp.workerSetting())) {
                w.keys.putAll(keys);
                assertThat(w.exec(w.token(db), "SELECT count(*) FROM t").at("/rows/0/0/value").asString()).isEqualTo("0");
            }
        }
    }
}
