package dev.libsqlplatform.e2e;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Embedded replicas with the unmodified {@code libsql} npm package and {@code @libsql/client} ({@code syncUrl})
 * against a real control plane and worker: first and incremental syncs, a worker restart in between, typed errors
 * after revocation and deletion (js/test/replication-*.test.mjs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationIT {
    private Platform platform;

    @BeforeAll
    void start() throws Exception {
        platform = new Platform("replication", null);
        try {
            platform.start();
        } catch (Exception | Error e) {
            System.err.println(platform.logTails(200));
            platform.close();
            throw e;
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void embeddedReplicasSyncAcrossAWorkerRestart() throws Exception {
        Path state = platform.root().resolve("replication-state.json");
        Map<String, String> env = Map.of("STATE_FILE", state.toString());
        NodeTests.run(platform, "replication-before.test.mjs", env);
        platform.restart();
        NodeTests.run(platform, "replication-after.test.mjs", env);
    }
}
