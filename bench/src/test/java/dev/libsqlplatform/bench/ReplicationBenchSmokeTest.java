package dev.libsqlplatform.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * Runs scenario 5 (replication) at a tiny size: one round, 1 s per point, a 2 MB first sync. Asserts only that its rows
 * were written (measured or n/a), never a timing. Skipped parts (no wrk, no platform jars) are printed.
 */
class ReplicationBenchSmokeTest {
    @Test
    void replicationScenarioRunsAtTinySize() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path out = Path.of("target/smoke-replication").toAbsolutePath();
        BenchConfig cfg = BenchConfig.parse("--root=" + root, "--out=" + out,
                "--work=" + Path.of("target/smoke-replication-work").toAbsolutePath(), "--scenarios=replication",
                "--seconds=1", "--warmup=0", "--write-clients=1", "--batch-rows=100", "--sandbox-rounds=1", "--sync-mb=2",
                "--server-heap=256m", "--ws-rounds=0");
        Harness h = new Harness(cfg);
        h.run();
        for (String s : h.skipped) System.out.println("[smoke] SKIPPED or FAILED: " + s);
        String text = Files.readString(out.resolve("latest.md"));
        System.out.println(text);
        assertTrue(text.contains("## " + Harness.REPLICATION), "replication section");
        if (Platform.missingJars(root) == null) {
            assertTrue(text.contains("first sync of a"), "first sync row");
            assertTrue(text.contains("replica lag under 1 sequential writer"), "lag rows");
            if (Wrk.available()) {
                assertTrue(text.contains("platform autocommit c=1, frame log on | same, frame log off"), "log on/off rows");
            }
        }
    }
}
