package dev.libsqlplatform.dataplane.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sqlite.SQLiteConnection;

/**
 * One SQLite connection of an open database plus the transaction state the executor tracks for it.
 * Not thread-safe: whoever holds it (a request, or a stream between requests) is its only user.
 */
public final class DbConnection {
    /** Prepared statements kept per connection (SQL text → statement), least recently used evicted. */
    static final int STATEMENT_CACHE_SIZE = 64;
    /** Longer texts are prepared for one use only (scripts, generated SQL). */
    static final int MAX_CACHED_SQL_LENGTH = 4096;

    private final SQLiteConnection conn;
    private final LinkedHashMap<String, PreparedStatement> statements = new LinkedHashMap<>(16, 0.75f, true);
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

    /**
     * A prepared statement for {@code sql}, taken out of this connection's cache (or prepared now), with
     * no parameters bound. Give it back with {@link #recycle(String, PreparedStatement)} after a clean
     * run, or {@link #discard(PreparedStatement)} after an error. Saves SQLite's prepare (parse + plan)
     * on every repeated statement, as an application reusing a PreparedStatement does.
     */
    public PreparedStatement take(String sql) throws SQLException {
        PreparedStatement ps = statements.remove(sql);
        if (ps != null) {
            try {
                ps.clearParameters();
                return ps;
            } catch (SQLException e) {
                discard(ps);
            }
        }
        return conn.prepareStatement(sql);
    }

    /** Returns a statement after a successful run; its result set (if any) was read to the end. */
    public void recycle(String sql, PreparedStatement ps) {
        if (sql.length() > MAX_CACHED_SQL_LENGTH) {
            discard(ps);
            return;
        }
        PreparedStatement old = statements.put(sql, ps);
        if (old != null && old != ps) {
            discard(old);
        }
        if (statements.size() > STATEMENT_CACHE_SIZE) {
            Iterator<Map.Entry<String, PreparedStatement>> it = statements.entrySet().iterator();
            PreparedStatement eldest = it.next().getValue();
            it.remove();
            discard(eldest);
        }
    }

    /** Closes a statement that must not be reused (it failed, or the cache is full). */
    public void discard(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // finalizing
        }
    }

    /** Finalizes every cached statement (before closing, or when a schema change makes them stale). */
    public void clearStatements() {
        for (PreparedStatement ps : statements.values()) {
            discard(ps);
        }
        statements.clear();
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
        clearStatements();
        try {
            conn.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}
