package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.auth.AuthenticatedCaller;

/**
 * What the authenticated caller may do on its database.
 *
 * @param dbId               the database
 * @param readOnlyToken      the token grants read-only access ({@code a: ro}, or {@code p} granting only ro/roa)
 * @param writesBlocked      writes are blocked by the control plane (quota, operator)
 * @param readsBlocked       everything is blocked by the control plane
 * @param blockReason        why, as pushed by the control plane; may be null
 */
public record Access(String dbId, boolean readOnlyToken, boolean writesBlocked, boolean readsBlocked,
                     String blockReason) {
    private static final String DEFAULT_BLOCK_REASON = "blocked by the platform (usage limit or operator)";

    public Access(String dbId, boolean readOnlyToken, boolean writesBlocked, boolean readsBlocked) {
        this(dbId, readOnlyToken, writesBlocked, readsBlocked, null);
    }

    /** The access of a verified caller, with the block flags of the metadata its token was checked against. */
    public static Access of(AuthenticatedCaller caller) {
        return new Access(caller.dbId(), caller.readOnly(), caller.blockWrites(), caller.blockReads(),
                caller.blockReason());
    }

    boolean canWrite() {
        return !readOnlyToken && !writesBlocked && !readsBlocked;
    }

    /**
     * Statements that only remove data (DELETE, DROP, VACUUM) may still run while writes are blocked, so that a
     * tenant over a storage or write quota can get back under it; a read-only token or blocked reads still refuse them.
     */
    boolean canShrink() {
        return !readOnlyToken && !readsBlocked;
    }

    private String reason() {
        return blockReason == null || blockReason.isBlank() ? DEFAULT_BLOCK_REASON : blockReason;
    }

    /** Hrana error for any statement while reads are blocked. */
    Proto.Error readsDenied() {
        return new Proto.Error("reads and writes are blocked for this database: " + reason(), HranaError.BLOCKED);
    }

    Proto.Error writeDenied() {
        if (readsBlocked) {
            return readsDenied();
        }
        if (writesBlocked) {
            return new Proto.Error("writes are blocked for this database: " + reason(), HranaError.BLOCKED);
        }
        return new Proto.Error("this token is read-only: it may not write to the database",
                HranaError.PERMISSION_DENIED);
    }
}
