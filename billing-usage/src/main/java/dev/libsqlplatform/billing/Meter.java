package dev.libsqlplatform.billing;

/** What usage is metered and can be charged beyond a plan's quota, in the units of {@link UsageTotals}. */
public enum Meter {
    ROWS_READ("rows read", "rows"),
    ROWS_WRITTEN("rows written", "rows"),
    STORAGE("storage", "bytes"),
    BYTES_SYNCED("bytes synced", "bytes");

    private final String label;
    private final String unit;

    Meter(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }

    public String label() {
        return label;
    }

    public String unit() {
        return unit;
    }

    public long of(UsageTotals t) {
        return switch (this) {
            case ROWS_READ -> t.rowsRead();
            case ROWS_WRITTEN -> t.rowsWritten();
            case STORAGE -> t.storageBytes();
            case BYTES_SYNCED -> t.bytesSynced();
        };
    }
}
