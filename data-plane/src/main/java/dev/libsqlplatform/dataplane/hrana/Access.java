package dev.libsqlplatform.dataplane.hrana;

/**
 * What the authenticated caller may do on its database.
 *
 * @param dbId               the database
 * @param readOnlyToken      the token has {@code a: ro}
 * @param writesBlocked      writes are blocked by quota
 * @param readsBlocked       everything is blocked by quota
 */
public record Access(String dbId, boolean readOnlyToken, boolean writesBlocked, boolean readsBlocked) {

    boolean canWrite() {
        return !readOnlyToken && !writesBlocked && !readsBlocked;
    }

    Proto.Error writeDenied() {
        if (readsBlocked || writesBlocked) {
            return new Proto.Error("Operation was blocked: writes to this database are blocked", "BLOCKED");
        }
        return new Proto.Error("this token is read-only: it may not write to the database", "PERMISSION_DENIED");
    }
}
