package dev.libsqlplatform.dataplane.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConnection;

/**
 * One SQLite connection of an open database plus the transaction state the executor tracks for it.
 * Not thread-safe: whoever holds it (a request, or a stream between requests) is its only user.
 */
public final class DbConnection {
    private final SQLiteConnection conn;
    private final boolean reader;
    private boolean inTransaction;
    private boolean readonlyTransaction;
    private boolean pragmasChanged;

    DbConnection(SQLiteConnection conn, boolean reader) {
        this.conn = conn;
        this.reader = reader;
    }

    public Connection jdbc() {
        return conn;
    }

    public SQLiteConnection sqlite() {
        return conn;
    }

    /** True for the read-only connections ({@code query_only}, opened read-only). */
    public boolean isReader() {
        return reader;
    }

    public boolean inTransaction() {
        return inTransaction;
    }

    public boolean readonlyTransaction() {
        return readonlyTransaction;
    }

    public void setTransaction(boolean inTransaction, boolean readonly) {
        this.inTransaction = inTransaction;
        this.readonlyTransaction = inTransaction && readonly;
    }

    /** Marks that a per-connection PRAGMA was set, so it is reset before the next user. */
    public void markPragmasChanged() {
        this.pragmasChanged = true;
    }

    public void exec(String sql) throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * Exact check of SQLite's autocommit flag (sqlite-jdbc does not expose sqlite3_get_autocommit):
     * a deferred BEGIN succeeds only outside a transaction and touches no file; it is rolled back at once.
     */
    public boolean probeInTransaction() {
        try {
            exec("BEGIN DEFERRED");
        } catch (SQLException e) {
            return true;
        }
        try {
            exec("ROLLBACK");
        } catch (SQLException ignored) {
            // nothing was started
        }
        return false;
    }

    /** Brings the connection back to a clean state for the next user: no transaction, default pragmas. */
    void reset() {
        if (inTransaction) {
            try {
                exec("ROLLBACK");
            } catch (SQLException ignored) {
                // already rolled back
            }
        }
        inTransaction = false;
        readonlyTransaction = false;
        if (pragmasChanged) {
            try {
                exec("PRAGMA foreign_keys = OFF");
                exec("PRAGMA defer_foreign_keys = OFF");
            } catch (SQLException ignored) {
                // best effort
            }
            pragmasChanged = false;
        }
    }

    void close() {
        try {
            conn.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}
