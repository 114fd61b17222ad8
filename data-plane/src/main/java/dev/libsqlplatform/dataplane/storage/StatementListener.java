package dev.libsqlplatform.dataplane.storage;

/**
 * Told about every tenant statement that ran (metering hooks in here; storage knows nothing of what listens).
 * Called once per statement on the request thread, after the statement completed: keep it cheap.
 */
@FunctionalInterface
public interface StatementListener {
    StatementListener NONE = (sql, rowsRead, rowsWritten) -> {
    };

    /**
     * @param sql         the statement's text as the client sent it
     * @param rowsRead    rows the statement scanned: SQLite's per-loop visit counters summed
     *                    ({@code NativeSandbox.rowsScanned}; 0 for BEGIN, {@code SELECT 1}, {@code INSERT … VALUES})
     * @param rowsWritten rows it inserted, updated or deleted
     */
    void statementRan(String sql, long rowsRead, long rowsWritten);

    /** The listener of each database, asked once when the database is opened. */
    @FunctionalInterface
    interface PerDatabase {
        StatementListener forDatabase(String databaseId);
    }
}
