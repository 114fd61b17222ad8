package dev.libsqlplatform.controlplane.database;

import dev.libsqlplatform.contract.hostname.HostnameLabel;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A tenant database. Invariants (kept by {@link DatabaseService} and the reconciler):
 * <ul>
 *   <li>live ({@code deletedAt == null}) names are unique per organization (partial unique index);</li>
 *   <li>the number of live databases of an organization never exceeds its plan: checked after the
 *       organization lock in the inserting transaction;</li>
 *   <li>{@code workerId} is assigned at most once and never changes;</li>
 *   <li>{@code state} moves provisioning → ready → deleting (or provisioning → deleting); a deleting row
 *       is removed only after its worker confirmed the DELETE (or it was never placed);</li>
 *   <li>{@code pushedVersion ≤ configVersion}; the worker holds the current keys/limits iff they are equal;</li>
 *   <li>{@code label} ({@code <name>-<organization slug>}, the hostname's first DNS label) is unique among live
 *       databases of ALL organizations (partial unique index); null only for rows that already collided before
 *       migration V4.</li>
 *   <li>{@code blockReads}/{@code blockWrites} are the configuration's (set by a member), {@code quotaBlock*} the
 *       quota enforcer's; the worker gets their OR. {@code maxBytes} is min(size_limit, what the organization's
 *       storage leaves this database), {@code storageReason} non-null when the latter is the tighter one.</li>
 * </ul>
 */
@Table("databases")
public record Database(@Id String id, String organizationId, String groupId, String name, String state,
                       String workerId, long maxBytes, boolean blockReads, boolean blockWrites,
                       boolean deleteProtection, long configVersion, long pushedVersion,
                       long createdAt, long updatedAt, Long deletedAt, String lastError,
                       Long sizeLimit, String allowedIps, String allowedAwsVpcIds, String label,
                       boolean quotaBlockReads, boolean quotaBlockWrites, String quotaReason, String storageReason) {

    public static final String PROVISIONING = "provisioning";
    public static final String READY = "ready";
    public static final String DELETING = "deleting";

    public boolean effectiveBlockReads() {
        return blockReads || quotaBlockReads;
    }

    public boolean effectiveBlockWrites() {
        return blockWrites || quotaBlockWrites;
    }

    /** What the worker's BLOCKED errors say after "writes are blocked for this database: "; null when nothing is. */
    public String blockReason() {
        return blockReason(blockReads, blockWrites, quotaBlockReads, quotaBlockWrites, quotaReason);
    }

    /** {@link #blockReason()} from the columns, for reads that do not map whole rows ({@code DatabaseReads}). */
    static String blockReason(boolean blockReads, boolean blockWrites, boolean quotaBlockReads, boolean quotaBlockWrites,
                              String quotaReason) {
        if (blockReads) {
            return "block_reads is set in the database's configuration";
        }
        if (quotaBlockReads || (quotaBlockWrites && !blockWrites)) {
            return quotaReason;
        }
        return blockWrites ? "block_writes is set in the database's configuration" : null;
    }

    /** The hostname label of database {@code name} in organization {@code organizationSlug}, as workers route it. */
    public static String label(String name, String organizationSlug) {
        return HostnameLabel.of(name, organizationSlug);
    }
}
