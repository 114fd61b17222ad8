package dev.libsqlplatform.contract.internalapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat body through each app's mapper (see {@link PutDatabaseContractTest}): the worker writes it with a
 * default mapper (registration/HeartbeatSender), the control plane reads it with its Spring Boot mapper.
 */
class WorkerHeartbeatContractTest {

    static WorkerHeartbeat full() {
        return new WorkerHeartbeat("w-1", "http://127.0.0.1:8081", 10_000L, 2L, "r-1", List.of(
                new WorkerHeartbeat.DatabaseUsage("db-1", 3L, 4L, 8192L, 5L,
                        List.of(new WorkerHeartbeat.QueryUsage("SELECT 1", 3L, 0L, 3L)))),
                List.of(new WorkerHeartbeat.DatabaseReplication("db-1", "0f6c2a7e-5b1d-4c1e-9a55-2b8f3c4d5e6f", 42L,
                        1_790_000_000_000L, List.of(new WorkerHeartbeat.ReplicaSync("127.0.0.1/1a2b3c", 1_790_000_001_000L,
                                40L, 2L)))));
    }

    @Test
    void everyFieldTheWorkerWritesIsReadByTheControlPlaneAndBack() throws Exception {
        WorkerHeartbeat sent = full();
        PutDatabaseContractTest.assertNoComponentIsEmpty(sent);
        String wire = PutDatabaseContractTest.WORKER.writeValueAsString(sent);
        assertThat(PutDatabaseContractTest.CONTROL_PLANE.readValue(wire, WorkerHeartbeat.class)).isEqualTo(sent);
        assertThat(ContractJson.parseStrictly(wire, WorkerHeartbeat.class)).isEqualTo(sent);
    }

    @Test
    void withNothingToReportReportIdAndUsageAreLeftOut() throws Exception {
        String wire = PutDatabaseContractTest.WORKER.writeValueAsString(
                new WorkerHeartbeat("w-1", "http://127.0.0.1:8081", 10_000L, 0L, null, null));
        assertThat(wire).isEqualTo("{\"id\":\"w-1\",\"url\":\"http://127.0.0.1:8081\",\"capacity\":10000,\"databases\":0}");
    }

    @Test
    void withNoReplicationChangeReplicationIsLeftOutAndAReplicaThatNeverPulledHasNoFrame() throws Exception {
        WorkerHeartbeat beat = new WorkerHeartbeat("w-1", "http://127.0.0.1:8081", 10_000L, 0L, null, null, null);
        assertThat(PutDatabaseContractTest.WORKER.writeValueAsString(beat)).doesNotContain("replication");
        String wire = PutDatabaseContractTest.WORKER.writeValueAsString(new WorkerHeartbeat.ReplicaSync("r", 1L, null, 0L));
        assertThat(wire).isEqualTo("{\"replica\":\"r\",\"lastSyncAt\":1,\"framesBehind\":0}");
        assertThat(PutDatabaseContractTest.CONTROL_PLANE.readValue(wire, WorkerHeartbeat.ReplicaSync.class).frameNo())
                .isNull();
    }

    @Test
    void aHeartbeatWithAnUnknownFieldIsNotTheContract() {
        assertThatThrownBy(() -> ContractJson.parseStrictly("{\"id\":\"w\",\"url\":\"u\",\"usageReport\":[]}",
                WorkerHeartbeat.class)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usageReport");
    }
}
