package dev.libsqlplatform.dataplane.storage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * Runs tenant statements of ONE database: the only code that touches sqlite-jdbc's internals (CoreStatement,
 * DB, native column stepping, {@code last_insert_rowid}) and brackets each statement with the sandbox's
 * {@link DbConnection#beginStatement}/{@link DbConnection#endStatement}. Protocol concerns stay with the caller:
 * it binds arguments through a {@link Binder} and maps the exceptions. Every statement that ran is reported to
 * the database's {@link StatementListener} (metering), once — also when group commit had to run it twice.
 */
public final class StatementRunner {
    private static final int SQLITE_INTEGER = 1;
    private static final int SQLITE_FLOAT = 2;
    private static final int SQLITE_TEXT = 3;
    private static final int SQLITE_BLOB = 4;
    private static final int SQLITE_ROW = 100;
    private static final String LAST_INSERT_ROWID = "SELECT last_insert_rowid()";

    /** Binds the statement's arguments; {@code X} is the caller's own failure (invalid arguments). */
    @FunctionalInterface
    public interface Binder<X extends Exception> {
        void bind(PreparedStatement ps) throws SQLException, X;
    }

    private final OpenDatabase db;
    private final StatementListener listener;

    StatementRunner(OpenDatabase db, StatementListener listener) {
        this.db = db;
        this.listener = listener;
    }

    /**
     * Runs {@code sqlText} on a connection the caller holds.
     *
     * @param meteredSql the text as the client sent it (what the listener is told; may differ from
     *                   {@code sqlText}, e.g. {@code BEGIN TRANSACTION READONLY} runs as {@code BEGIN DEFERRED})
     */
    public <X extends Exception> StatementOutcome run(DbConnection conn, String sqlText, String meteredSql,
                                                      Binder<X> binder, boolean wantRows, ResultBudget budget)
            throws SQLException, X, ResultTooLargeException {
        StatementOutcome result = runOn(conn, sqlText, binder, wantRows, budget);
        // counted when the statement ran, so rows written in a transaction rolled back later count
        meter(meteredSql, result);
        return result;
    }

    private void meter(String sql, StatementOutcome result) {
        listener.statementRan(sql, result.rowsRead(), result.affectedRowCount());
    }

    /**
     * An autocommit write through the database's {@link GroupCommit}. Throws what the statement threw,
     * {@link DatabaseBusyException} when the writer stayed busy, or the {@link SQLException} of taking the writer.
     */
    public <X extends Exception> StatementOutcome runGrouped(String sql, Binder<X> binder, boolean wantRows,
                                                             ResultBudget budget) throws Exception {
        StatementOutcome result = db.groupCommit().submit(w -> runOn(w, sql, binder, wantRows, budget));
        meter(sql, result);
        return result;
    }

    /**
     * {@link #runGrouped} without holding the calling thread while the statement waits for its group
     * ({@link GroupCommit#submitAsync}): {@code then} gets the outcome, or what {@link #runGrouped} would have thrown.
     */
    public <X extends Exception> void runGroupedAsync(String sql, Binder<X> binder, boolean wantRows, ResultBudget budget,
                                                      java.util.concurrent.Executor leaders,
                                                      GroupCommit.Done<StatementOutcome> then) {
        db.groupCommit().submitAsync(w -> runOn(w, sql, binder, wantRows, budget), (result, error) -> {
            if (error == null) {
                try {
                    meter(sql, result);
                } catch (RuntimeException e) {
                    then.accept(null, e); // as runGrouped: the caller gets what metering threw
                    return;
                }
            }
            then.accept(result, error);
        }, leaders);
    }

    /**
     * {@code BEGIN TRANSACTION READONLY} (rejected by stock SQLite): {@code BEGIN DEFERRED} on a reader, which the
     * caller keeps until the transaction ends.
     */
    public DbConnection beginReadonly(String meteredSql) throws DatabaseBusyException, SQLException {
        DbConnection r = db.acquireReader();
        try {
            r.exec("BEGIN DEFERRED");
        } catch (SQLException e) {
            db.releaseReader(r);
            throw e;
        }
        r.setTransaction(true, true);
        listener.statementRan(meteredSql, 0, 0);
        return r;
    }

    /** Prepares {@code sqlText} on {@code c} without executing it: its result columns. */
    public List<Column> describe(DbConnection c, String sqlText) throws SQLException {
        c.beginStatement(db.tempLimitBytes());
        SQLException failure = null;
        try (PreparedStatement ps = c.jdbc().prepareStatement(sqlText)) {
            CoreStatement core = (CoreStatement) ps;
            return columns(core, core.pointer.safeRunInt((d, p) -> d.column_count(p)));
        } catch (SQLException e) {
            failure = e;
            throw e;
        } finally {
            SQLException explained = c.endStatement(failure);
            if (explained != failure) {
                throw explained;
            }
        }
    }

    private static List<Column> columns(CoreStatement core, int n) throws SQLException {
        if (n == 0) {
            return List.of();
        }
        List<Column> cols = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int col = i;
            cols.add(new Column(core.pointer.safeRun((d, p) -> d.column_name(p, col)),
                    core.pointer.safeRun((d, p) -> d.column_decltype(p, col))));
        }
        return cols;
    }

    private <X extends Exception> StatementOutcome runOn(DbConnection conn, String sqlText, Binder<X> binder,
                                                         boolean wantRows, ResultBudget budget)
            throws SQLException, X, ResultTooLargeException {
        long t0 = System.nanoTime();
        DB sqlite = conn.sqlite().getDatabase();
        conn.beginStatement(db.tempLimitBytes());
        SQLException failure = null;
        PreparedStatement ps = null;
        long stmt = 0;
        boolean clean = false;
        List<Column> cols;
        List<Object[]> rows = List.of();
        long affected = 0;
        Long lastRowid = null;
        double ms;
        try {
            VectorIndexCheck.beforeRunning(sqlite, sqlText);
            StatementOutcome altered = AlterColumns.runIfAlterColumn(conn, sqlText, t0);
            if (altered != null) {
                clean = true;
                return altered;
            }
            ps = conn.take(sqlText);
            binder.bind(ps);
            CoreStatement core = (CoreStatement) ps;
            long totalBefore = sqlite.total_changes();
            boolean hasRows = ps.execute();
            int n = core.pointer.safeRunInt((d, p) -> d.column_count(p));
            cols = columns(core, n);
            if (hasRows) {
                ResultSet rs = ps.getResultSet();
                if (rs != null) {
                    rows = wantRows ? new ArrayList<>() : Collections.emptyList();
                    while (rs.next()) {
                        if (wantRows) {
                            Object[] row = core.pointer.safeRun((d, p) -> readRow(d, p, n));
                            budget.charge(row);
                            rows.add(row);
                        }
                    }
                    rs.close(); // resets the statement: it holds no read snapshot while cached
                }
            }
            long totalAfter = sqlite.total_changes();
            if (totalAfter != totalBefore) {
                affected = sqlite.changes();
                lastRowid = lastInsertRowid(conn);
            }
            ms = (System.nanoTime() - t0) / 1e6;
            // usage counts rows scanned (Turso's rows read), not rows returned: SQLite's per-loop visit counters,
            // read by endStatement's native call below (the pointer stays valid until the statement is recycled)
            stmt = core.pointer.safeRunLong((d, p) -> p);
            clean = true;
        } catch (SQLException e) {
            failure = e;
            throw e;
        } finally {
            SQLException explained = conn.endStatement(failure, stmt);
            if (ps != null) {
                if (clean) {
                    conn.recycle(sqlText, ps);
                } else {
                    conn.discard(ps);
                }
            }
            if (explained != failure) {
                throw explained;
            }
        }
        return new StatementOutcome(cols, rows, affected, lastRowid, conn.rowsScanned(), ms);
    }

    private static Object[] readRow(DB d, long p, int n) throws SQLException {
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
            switch (d.column_type(p, i)) {
                case SQLITE_INTEGER -> row[i] = d.column_long(p, i);
                case SQLITE_FLOAT -> row[i] = d.column_double(p, i);
                case SQLITE_TEXT -> row[i] = d.column_text(p, i);
                case SQLITE_BLOB -> {
                    byte[] b = d.column_blob(p, i);
                    row[i] = b == null ? new byte[0] : b;
                }
                default -> row[i] = null;
            }
        }
        return row;
    }

    private static Long lastInsertRowid(DbConnection conn) throws SQLException {
        PreparedStatement ps = conn.take(LAST_INSERT_ROWID);
        boolean clean = false;
        try {
            // stepped natively: the JDBC result set (column names, metadata) costs more than the query
            long id = ((CoreStatement) ps).pointer.safeRunLong((d, p) -> {
                try {
                    if (d.step(p) != SQLITE_ROW) {
                        throw new SQLException("last_insert_rowid() returned no row");
                    }
                    return d.column_long(p, 0);
                } finally {
                    d.reset(p);
                }
            });
            clean = true;
            return id;
        } finally {
            if (clean) {
                conn.recycle(LAST_INSERT_ROWID, ps);
            } else {
                conn.discard(ps);
            }
        }
    }
}
