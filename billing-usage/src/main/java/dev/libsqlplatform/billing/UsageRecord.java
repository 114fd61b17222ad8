package dev.libsqlplatform.billing;

import java.time.Instant;
import java.util.Objects;

/**
 * One report from a worker about one database: the counters are deltas since the previous report
 * ({@code rowsRead}, {@code rowsWritten}, {@code bytesSynced}), storage is a gauge (the size at
 * {@code at}). Workers may report the same database from several instances; each report is one record.
 */
public record UsageRecord(String organizationId, String databaseId, Instant at, long rowsRead,
                          long rowsWritten, long storageBytes, long bytesSynced) {

    public UsageRecord {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(databaseId, "databaseId");
        Objects.requireNonNull(at, "at");
        if (rowsRead < 0 || rowsWritten < 0 || storageBytes < 0 || bytesSynced < 0) {
            throw new IllegalArgumentException("usage counters must not be negative");
        }
    }
}
