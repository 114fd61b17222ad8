package dev.libsqlplatform.billing;

/**
 * Usage over a window, in the units of the Platform API's {@code DatabaseUsageObject}.
 */
public record UsageTotals(long rowsRead, long rowsWritten, long storageBytes, long bytesSynced) {

    public static final UsageTotals ZERO = new UsageTotals(0, 0, 0, 0);

    /** Counters add up; storage is a gauge, so the sum of two databases' storage is their total size. */
    public UsageTotals plus(UsageTotals other) {
        return new UsageTotals(Math.addExact(rowsRead, other.rowsRead), Math.addExact(rowsWritten, other.rowsWritten),
                Math.addExact(storageBytes, other.storageBytes), Math.addExact(bytesSynced, other.bytesSynced));
    }
}
