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
        return blocks(plan, usage, false);
    }

    /**
     * As {@link #blocks(Plan, Usage)}; with {@code overagesBilled} (a paid plan with overages switched on) usage past
     * the quotas is billed instead, so nothing is blocked.
     */
    public static BlockDecision blocks(Plan plan, Usage usage, boolean overagesBilled) {
        if (overagesBilled) {
            return BlockDecision.NONE;
        }
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
     * The storage cap pushed to one database ({@code maxBytes}, applied by the worker as {@code PRAGMA max_page_count}):
     * what is left of the organization's storage once the other databases' sizes are taken, rounded DOWN to
     * {@code granuleBytes} so that small changes elsewhere in the organization do not re-push every database, never
     * below the database's own current size (rounded up to a page: it may keep what it has, DELETE and DROP still
     * work), and never above its own {@code sizeLimit}. With {@code overagesBilled} only the size limit applies.
     *
     * @param sizeLimit     the database's own limit ({@code size_limit}), null for none
     * @return bytes; {@link Long#MAX_VALUE} when nothing limits the database
     */
    public static long databaseMaxBytes(Plan plan, long organizationStorageBytes, long databaseBytes, Long sizeLimit,
                                        boolean overagesBilled, long granuleBytes, int pageSize) {
        long own = sizeLimit != null ? sizeLimit : Long.MAX_VALUE;
        if (overagesBilled || plan.storageBytes() == Long.MAX_VALUE) {
            return own;
        }
        long othersBytes = Math.max(0, organizationStorageBytes - databaseBytes);
        long allowed = Math.max(0, plan.storageBytes() - othersBytes);
        long granule = Math.max(pageSize, granuleBytes);
        long rounded = allowed / granule * granule;
        long current = (databaseBytes + pageSize - 1) / pageSize * (long) pageSize;
        return Math.min(own, Math.max(rounded, current));
    }
}
