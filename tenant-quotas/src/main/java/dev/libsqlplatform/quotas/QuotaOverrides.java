package dev.libsqlplatform.quotas;

/**
 * Per-organization replacements of plan limits set by the platform administrator; a null component keeps the
 * plan's value.
 */
public record QuotaOverrides(Long databases, Long storageBytes, Long rowsRead, Long rowsWritten, Long bytesSynced,
                             Long groups, Long locations) {

    public static final QuotaOverrides NONE = new QuotaOverrides(null, null, null, null, null, null, null);

    public QuotaOverrides {
        for (Long v : new Long[]{databases, storageBytes, rowsRead, rowsWritten, bytesSynced, groups, locations}) {
            if (v != null && v < 0) {
                throw new IllegalArgumentException("quota overrides must not be negative");
            }
        }
    }

    public boolean isEmpty() {
        return this.equals(NONE);
    }
}
