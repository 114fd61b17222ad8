package dev.libsqlplatform.dataplane.usage;

import java.util.List;

/**
 * One usage report as carried by a heartbeat (docs/internals.md, "Usage reports"): deltas since the
 * previous acknowledged report, identified by {@code reportId} so the control plane stores it once.
 */
public record UsageReport(String reportId, List<DatabaseEntry> usage) {

    public UsageReport {
        usage = List.copyOf(usage);
    }

    /** One database's deltas; {@code storageBytes} is the size of its files when the report was made. */
    public record DatabaseEntry(String databaseId, long rowsRead, long rowsWritten, long storageBytes,
                                long bytesSynced, List<QueryUsage> queries) {
    }

    /** Aggregates of one SQL text (literals as sent) since the previous report. */
    public record QueryUsage(String query, long rowsRead, long rowsWritten, long count) {
    }
}
