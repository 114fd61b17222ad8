package dev.libsqlplatform.e2e;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Offline writes with the unmodified {@code libsql} npm package and {@code @libsql/client} ({@code offline: true},
 * the client's HTTP sync protocol v2 at {@code <worker>/offline}) against a real control plane and worker: pushes
 * visible on the primary and to other replicas (offline and gRPC), conflicts refused, pulls across a worker restart,
 * typed errors for hostile requests, a read-only, revoked or deleted database (js/test/offline-*.test.mjs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OfflineSyncIT {
    private Platform platform;

    @BeforeAll
    void start() throws Exception {
        platform = new Platform("offline", null);
        platform.startOrShowLogs();
    }

    @AfterAll
    void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void offlineWritesArePushedPulledAndRefusedOnConflictAcrossAWorkerRestart() throws Exception {
        Path state = platform.root().resolve("offline-state.json");
        Map<String, String> env = Map.of("STATE_FILE", state.toString());
        NodeTests.run(platform, "offline-before.test.mjs", env);
        platform.restart();
        NodeTests.run(platform, "offline-after.test.mjs", env);
    }
}
