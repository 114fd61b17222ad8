package dev.libsqlplatform.controlplane.worker;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import java.util.List;

/**
 * A heartbeat carried a usage report (maybe empty). Published after the heartbeat is stored; the usage module stores
 * the report once per {@code reportId}, synchronously, so a malformed report still fails the heartbeat call (400).
 */
public record UsageReported(String workerId, String reportId, List<WorkerHeartbeat.DatabaseUsage> usage) {
}
