package dev.libsqlplatform.dataplane.usage;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import java.util.List;

/**
 * One usage report as carried by a heartbeat (docs/internals.md, "Usage reports"): deltas since the
 * previous acknowledged report, identified by {@code reportId} so the control plane stores it once. The
 * entries are the contract's {@link WorkerHeartbeat.DatabaseUsage}, sent as they are.
 */
public record UsageReport(String reportId, List<WorkerHeartbeat.DatabaseUsage> usage) {

    public UsageReport {
        usage = List.copyOf(usage);
    }
}
