package dev.libsqlplatform.dataplane.sql;

/** What the router and the transaction tracker need to know about a statement. */
public enum StatementKind {
    /** SELECT, VALUES, EXPLAIN ...: may run on a read-only connection. */
    READ,
    /** BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION]. */
    BEGIN,
    /** BEGIN [TRANSACTION] READONLY: a libSQL extension, run as BEGIN DEFERRED on a reader. */
    BEGIN_READONLY,
    /** COMMIT or END [TRANSACTION]. */
    COMMIT,
    /** ROLLBACK [TRANSACTION] (not ROLLBACK TO). */
    ROLLBACK,
    /** SAVEPOINT, RELEASE, ROLLBACK TO: transaction state is checked after these. */
    SAVEPOINT,
    /** PRAGMA that only reads. */
    PRAGMA_READ,
    /** PRAGMA that sets one of the allowed values. */
    PRAGMA_WRITE,
    /** WITH ...: may read or write; runs on the writer unless the caller may only read. */
    WITH,
    /** Everything else: INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ANALYZE, VACUUM, REINDEX ... */
    WRITE;

    /** True when the statement certainly changes nothing in the database file. */
    public boolean isReadOnly() {
        return this != WRITE && this != PRAGMA_WRITE && this != WITH;
    }
}
