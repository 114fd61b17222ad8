package dev.libsqlplatform.quotas;

import java.util.ArrayList;
import java.util.List;

/**
 * Quota decisions. Pure functions of the plan and the counts the caller read; the caller is
 * responsible for reading those counts under a lock that keeps them true until it acts
 * (the control plane locks the organization row in the same transaction as the insert).
 */
public final class QuotaPolicy {

    public static final String DATABASE_LIMIT = "database_limit_reached";
    public static final String GROUP_LIMIT = "group_limit_reached";
    public static final String LOCATION_LIMIT = "location_limit_reached";

    private QuotaPolicy() {
    }

    public static QuotaDecision mayCreateDatabase(Plan plan, long liveDatabases) {
        if (liveDatabases >= plan.databases()) {
            return new QuotaDecision.Denied(DATABASE_LIMIT,
                    "maximum database count of " + plan.databases() + " reached");
        }
        return QuotaDecision.ALLOWED;
    }

    public static QuotaDecision mayCreateGroup(Plan plan, long liveGroups) {
        if (liveGroups >= plan.groups()) {
            return new QuotaDecision.Denied(GROUP_LIMIT,
                    "maximum group count of " + plan.groups() + " reached");
        }
        return QuotaDecision.ALLOWED;
    }

    public static QuotaDecision mayUseLocations(Plan plan, long locations) {
        if (locations > plan.locations()) {
            return new QuotaDecision.Denied(LOCATION_LIMIT,
                    "maximum location count of " + plan.locations() + " reached");
        }
        return QuotaDecision.ALLOWED;
    }

    /**
     * Storage over the limit blocks writes only: the data stays readable so the tenant can delete.
     * Monthly row quotas exhausted block the kind of access that exhausted them.
     */
    public static BlockDecision blocks(Plan plan, Usage usage) {
        boolean blockReads = usage.rowsRead() >= plan.rowsRead();
        boolean blockWrites = usage.storageBytes() >= plan.storageBytes()
                || usage.rowsWritten() >= plan.rowsWritten();
        if (!blockReads && !blockWrites) {
            return BlockDecision.NONE;
        }
        List<String> reasons = new ArrayList<>();
        if (usage.rowsRead() >= plan.rowsRead()) {
            reasons.add("monthly rows read quota of " + plan.rowsRead() + " reached");
        }
        if (usage.rowsWritten() >= plan.rowsWritten()) {
            reasons.add("monthly rows written quota of " + plan.rowsWritten() + " reached");
        }
        if (usage.storageBytes() >= plan.storageBytes()) {
            reasons.add("storage quota of " + plan.storageBytes() + " bytes reached");
        }
        return new BlockDecision(blockReads, blockWrites, String.join("; ", reasons));
    }

    /**
     * The per-database page cap a worker sets with {@code PRAGMA max_page_count}, so one database can
     * never grow past what is left of its organization's storage between two usage reports.
     */
    public static long maxPageCount(Plan plan, long organizationStorageBytes, long databaseBytes, int pageSize) {
        if (pageSize <= 0) {
            throw new IllegalArgumentException("page size must be positive");
        }
        if (plan.storageBytes() == Long.MAX_VALUE) {
            return Integer.MAX_VALUE - 1L;
        }
        long othersBytes = Math.max(0, organizationStorageBytes - databaseBytes);
        long allowedBytes = Math.max(0, plan.storageBytes() - othersBytes);
        return Math.max(1, Math.min(Integer.MAX_VALUE - 1L, allowedBytes / pageSize));
    }
}
