package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Embedded replicas with the unmodified {@code libsql} npm package and {@code @libsql/client} ({@code syncUrl})
 * against a real control plane and worker: first and incremental syncs, a worker restart in between, typed errors
 * after revocation and deletion (js/test/replication-*.test.mjs); and the replication state reaching the Platform API
 * through the worker's heartbeat.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationIT {
    private Platform platform;

    @BeforeAll
    void start() throws Exception {
        platform = new Platform("replication", null);
        platform.startOrShowLogs();
    }

    @AfterAll
    void stop() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    /**
     * The replica of phase 1 synced to {@code reached} and nothing was written since: within a few heartbeats the
     * Platform API shows the database at that replication index with a replica there, lag 0.
     */
    private void theControlPlaneShowsTheReplicaUpToDate(Path state) throws Exception {
        JsonNode phase1 = Http.JSON.readTree(Files.readString(state));
        String name = phase1.get("name").asString();
        long reached = phase1.get("reached").asLong();
        String problem = Waits.until(Duration.ofSeconds(30), Duration.ofMillis(250), () -> {
            HttpResponse<String> r = platform.platformApi("GET",
                    "/v1/organizations/" + Platform.ORG + "/databases/" + name, null);
            if (r.statusCode() != 200) {
                return r.statusCode() + " " + r.body();
            }
            JsonNode replication = Http.JSON.readTree(r.body()).at("/database/replication");
            if (replication.isMissingNode() || replication.get("replication_index").asLong() != reached) {
                return "not at replication index " + reached + " yet: " + r.body();
            }
            for (JsonNode replica : replication.get("replicas")) {
                if (replica.get("frame_no").asLong(-1) == reached && replica.get("lag_frames").asLong(-1) == 0) {
                    return null;
                }
            }
            return "no replica at frame " + reached + " with lag 0: " + replication;
        });
        assertNull(problem, problem);
    }

    @Test
    void embeddedReplicasSyncAcrossAWorkerRestart() throws Exception {
        Path state = platform.root().resolve("replication-state.json");
        Map<String, String> env = Map.of("STATE_FILE", state.toString());
        NodeTests.run(platform, "replication-before.test.mjs", env);
        theControlPlaneShowsTheReplicaUpToDate(state);
        platform.restart();
        NodeTests.run(platform, "replication-after.test.mjs", env);
    }
}
