package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.usage.UsageReport;
import dev.libsqlplatform.dataplane.usage.UsageTracker;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A scripted workload against a hand-computed expectation (issue 13): rows read are rows SCANNED (SQLite's per-loop
 * visit counters, at least 1 per statement), rows written are rows inserted, updated or deleted, storage is the pages
 * of tables and indexes.
 */
class ScriptedUsageTest {
    @TempDir
    Path dir;

    @Test
    void usageOfAScriptedWorkloadIsWhatWeComputedByHand() throws Exception {
        try (Worker w = new Worker(dir, "platform.worker.heartbeat-interval=1h",
                "platform.worker.control-plane-url=http://127.0.0.1:9")) {
            String db = w.createDatabase("scripted", "acme");
            String t = w.token(db);
            // statement → {rows read, rows written}, computed by hand
            Map<String, long[]> script = new LinkedHashMap<>();
            script.put("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", new long[]{1, 0});   // reads nothing: 1
            script.put("CREATE INDEX t_v ON t (v)", new long[]{1, 0});                          // scans an empty t
            script.put("INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e'),(6,'f'),(7,'g'),(8,'h'),(9,'i'),"
                    + "(10,'j')", new long[]{1, 10});
            script.put("SELECT * FROM t", new long[]{10, 0});                                    // full scan
            script.put("SELECT * FROM t WHERE id = 3", new long[]{1, 0});                         // rowid seek
            script.put("SELECT id FROM t WHERE v = 'c'", new long[]{1, 0});                       // index seek
            script.put("SELECT * FROM t WHERE v LIKE '%c%'", new long[]{10, 0});                  // no usable index
            script.put("SELECT max(length(v)) FROM t", new long[]{10, 0});                        // an aggregate scans all
            script.put("UPDATE t SET v = 'z' WHERE id <= 4", new long[]{4, 4});                   // reads what it updates
            script.put("DELETE FROM t WHERE id > 8", new long[]{2, 2});
            script.put("SELECT a.id FROM t a JOIN t b ON b.id = a.id", new long[]{16, 0});         // 8 outer + 8 inner
            script.put("SELECT count(*) FROM t", new long[]{1, 0});                               // b-tree count, no scan
            script.put("SELECT 1", new long[]{1, 0});
            long read = 0;
            long written = 0;
            Map<String, Long> actual = new LinkedHashMap<>();
            Map<String, Long> expected = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> step : script.entrySet()) {
                JsonNode r = w.exec(t, step.getKey());
                assertThat(r.has("cols")).as(step.getKey() + ": " + r).isTrue();
                actual.put(step.getKey(), r.get("rows_read").asLong());
                expected.put(step.getKey(), step.getValue()[0]);
                assertThat(r.get("affected_row_count").asLong()).as(step.getKey()).isEqualTo(step.getValue()[1]);
                read += step.getValue()[0];
                written += step.getValue()[1];
            }
            assertThat(actual).isEqualTo(expected);

            UsageReport report = w.ctx.getBean(UsageTracker.class)
                    .nextReport(w.ctx.getBean(DatabaseRegistry.class).ids(), w.ctx.getBean(DatabaseRegistry.class)::storageBytes);
            WorkerHeartbeat.DatabaseUsage u = report.usage().stream().filter(e -> e.databaseId().equals(db)).findFirst()
                    .orElseThrow();
            assertThat(u.rowsRead()).isEqualTo(read).isEqualTo(59);
            assertThat(u.rowsWritten()).isEqualTo(written).isEqualTo(16);
            // sqlite_schema, t and t_v: one page each
            assertThat(u.storageBytes()).isEqualTo(3 * 4096);
        }
    }
}
