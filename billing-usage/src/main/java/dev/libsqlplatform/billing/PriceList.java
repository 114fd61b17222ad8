package dev.libsqlplatform.billing;

/**
 * Prices in US cents. Overage is charged per started unit beyond what the plan includes:
 * rows per million, storage per GB (10^9 bytes) of the month's peak, sync traffic per GB.
 *
 * @param baseCents              monthly plan price
 * @param includedRowsRead       rows read included in the base price
 * @param includedRowsWritten    rows written included
 * @param includedStorageBytes   storage included
 * @param includedBytesSynced    sync traffic included
 * @param centsPerMillionRowsRead      price of each started million rows read beyond the included
 * @param centsPerMillionRowsWritten   price of each started million rows written beyond the included
 * @param centsPerGbStorage            price of each started GB of storage beyond the included
 * @param centsPerGbSynced             price of each started GB synced beyond the included
 */
public record PriceList(long baseCents, long includedRowsRead, long includedRowsWritten, long includedStorageBytes,
                        long includedBytesSynced, long centsPerMillionRowsRead, long centsPerMillionRowsWritten,
                        long centsPerGbStorage, long centsPerGbSynced) {

    /** The starter plan is free and has no overages: usage past its quotas is blocked, not billed. */
    public static final PriceList STARTER = new PriceList(0, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
            Long.MAX_VALUE, 0, 0, 0, 0);

    public PriceList {
        if (baseCents < 0 || includedRowsRead < 0 || includedRowsWritten < 0 || includedStorageBytes < 0
                || includedBytesSynced < 0 || centsPerMillionRowsRead < 0 || centsPerMillionRowsWritten < 0
                || centsPerGbStorage < 0 || centsPerGbSynced < 0) {
            throw new IllegalArgumentException("prices must not be negative");
        }
    }
}
