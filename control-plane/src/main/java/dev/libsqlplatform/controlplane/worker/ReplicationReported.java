package dev.libsqlplatform.controlplane.worker;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import java.util.List;

/**
 * A heartbeat carried replication state (databases whose frame log or replicas changed). Published after the heartbeat
 * is stored; the database module stores it synchronously, so a malformed report fails the heartbeat call (400).
 */
public record ReplicationReported(String workerId, List<WorkerHeartbeat.DatabaseReplication> replication) {
}
