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
    /** The native sandbox guard of this connection (0 before {@link #harden}). */
    private long guard;
    private final long statementTimeoutNanos;
    private volatile boolean inStatement;
    private volatile long statementStartNanos;
    private volatile Object requester;
    private volatile String cancelledBecause;
    /** See {@link #rowsScanned()}. */
    private long rowsScanned;
    private final LinkedHashMap<String, PreparedStatement> statements = new LinkedHashMap<>(16, 0.75f, true);
    private final boolean reader;
    private boolean inTransaction;
    private boolean readonlyTransaction;
    private boolean pragmasChanged;

    DbConnection(SQLiteConnection conn, boolean reader, long statementTimeoutNanos) {
        this.conn = conn;
        this.reader = reader;
        this.statementTimeoutNanos = statementTimeoutNanos;
    }

    /**
     * Puts the connection under the tenant sandbox (authorizer, defensive mode, limits). Everything the
     * platform sets up on it runs before; later maintenance goes through {@link #trusted}.
     */
    void harden(int[] limits) {
        guard = NativeSandbox.install(conn.getDatabase(), limits);
    }

    /** Runs the platform's own statement (not a tenant's) with the authorizer switched off. */
    void trusted(String sql) throws SQLException {
        if (guard == 0) {
            exec(sql);
            return;
        }
        NativeSandbox.setEnforcing(guard, false);
        try {
            exec(sql);
        } finally {
            NativeSandbox.setEnforcing(guard, true);
        }
    }

    /** Platform work on the raw connection (statements with parameters, result sets). */
    @FunctionalInterface
    interface TrustedWork<T> {
        T run(Connection jdbc) throws SQLException;
    }

    /** Runs the platform's own JDBC work (not a tenant's) with the authorizer switched off. */
    <T> T trustedWork(TrustedWork<T> work) throws SQLException {
        if (guard != 0) {
            NativeSandbox.setEnforcing(guard, false);
        }
        try {
            return work.run(conn);
        } finally {
            if (guard != 0) {
                NativeSandbox.setEnforcing(guard, true);
            }
        }
    }

    /** Whether the tenant sandbox (authorizer, defensive mode) is installed on this connection. */
    boolean hardened() {
        return guard != 0;
    }

    /** The first column of the first row of the platform's own query (a pragma), authorizer switched off. */
    long trustedLong(String sql) throws SQLException {
        if (guard != 0) {
            NativeSandbox.setEnforcing(guard, false);
        }
        try (Statement s = conn.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        } finally {
            if (guard != 0) {
                NativeSandbox.setEnforcing(guard, true);
            }
        }
    }

    /**
     * Starts a tenant statement on the calling thread: its deadline and the temporary-file budget
     * ({@code tempLimitBytes}). Every prepare and step of the statement happens between this and
     * {@link #endStatement}, on this thread.
     */
    void beginStatement(long tempLimitBytes) throws SQLException {
        InlineRun inline = InlineRun.current();
        if (inline != null && guard == 0) {
            throw new SQLException(inline.giveUp("the sandbox is off: nothing would end a long statement"));
        }
        cancelledBecause = null;
        requester = Requester.current();
        long now = System.nanoTime();
        statementStartNanos = now;
        if (guard != 0) {
            long deadline = now + statementTimeoutNanos;
            NativeSandbox.enter(guard, inline == null ? deadline : inline.statementDeadline(deadline), tempLimitBytes);
        }
        inStatement = true;
    }

    /**
     * Ends the statement begun by {@link #beginStatement}. When it failed, give its exception: one the
     * sandbox caused comes back as a {@link SandboxException} saying why; others come back unchanged.
     */
    SQLException endStatement(SQLException failure) {
        return endStatement(failure, 0);
    }

    /**
     * {@link #endStatement(SQLException)} that also counts the rows the statement {@code stmt} (its sqlite3_stmt
     * pointer; 0 = none) scanned, in the same native call: {@link #rowsScanned} until the next statement ends.
     */
    SQLException endStatement(SQLException failure, long stmt) {
        inStatement = false;
        requester = null;
        long left = guard == 0 && stmt == 0 ? 0 : NativeSandbox.leave(guard, stmt);
        rowsScanned = NativeSandbox.rowsScanned(left);
        int flags = NativeSandbox.flags(left);
        if (failure == null || flags == 0 && cancelledBecause == null) {
            return failure;
        }
        if ((flags & NativeSandbox.DENIED) != 0) {
            String why = NativeSandbox.denial(guard);
            return new SandboxException(SandboxException.Reason.DENIED, why == null ? "not authorized" : why, failure);
        }
        if ((flags & NativeSandbox.TIMED_OUT) != 0) {
            InlineRun inline = InlineRun.current();
            if (inline != null && inline.cut(statementStartNanos + statementTimeoutNanos)) {
                return new SQLException(inline.giveUp("the statement outlasted the event loop's budget"));
            }
            return new SandboxException(SandboxException.Reason.TIMED_OUT, "the statement ran longer than the limit of "
                    + statementTimeoutNanos / 1_000_000 + " ms and was interrupted", failure);
        }
        if ((flags & NativeSandbox.TEMP_FULL) != 0) {
            return new SandboxException(SandboxException.Reason.TEMP_FULL, "temporary storage (TEMP tables, sorts,"
                    + " materialised subqueries) of this connection reached its limit", failure);
        }
        return new SandboxException(SandboxException.Reason.CANCELLED, "the statement was interrupted: "
                + cancelledBecause, failure);
    }

    /**
     * Rows scanned by the statement the last {@link #endStatement(SQLException, long)} ended (Turso's rows read).
     */
    long rowsScanned() {
        return rowsScanned;
    }

    /** Hands the running statement to {@code visitor} when it has run at least {@code minNanos}. */
    void visitIfRunning(long minNanos, long now, Requester.RunningVisitor visitor) {
        Object who = requester;
        if (inStatement && who != null && now - statementStartNanos >= minNanos) {
            visitor.visit(this, who);
        }
    }

    /** Interrupts the running statement, if any (from any thread); it fails with {@code reason}. */
    public void cancel(String reason) {
        if (inStatement) {
            cancelledBecause = reason;
            try {
                conn.getDatabase().interrupt();
            } catch (SQLException e) {
                // the connection is closing: nothing runs on it any more
            }
        }
    }

    /** Bytes of temporary files the connection holds (TEMP tables stay until the connection closes). */
    public long tempBytes() {
        return guard == 0 ? 0 : NativeSandbox.tempBytes(guard);
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
                trusted("PRAGMA foreign_keys = OFF");
                trusted("PRAGMA defer_foreign_keys = OFF");
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
        if (guard != 0 && conn.getDatabase().isClosed()) {
            // only once SQLite can no longer call the authorizer or progress handler with it
            NativeSandbox.release(guard);
            guard = 0;
        }
    }
}
