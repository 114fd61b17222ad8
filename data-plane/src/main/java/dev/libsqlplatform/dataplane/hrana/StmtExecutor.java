package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.sql.SqlScript;
import dev.libsqlplatform.dataplane.sql.SqlStatement;
import dev.libsqlplatform.dataplane.sql.StatementKind;
import dev.libsqlplatform.dataplane.storage.Column;
import dev.libsqlplatform.dataplane.storage.DatabaseBusyException;
import dev.libsqlplatform.dataplane.storage.DatabaseMeta;
import dev.libsqlplatform.dataplane.storage.DbConnection;
import dev.libsqlplatform.dataplane.storage.FrameLogException;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import dev.libsqlplatform.dataplane.storage.ResultTooLargeException;
import dev.libsqlplatform.dataplane.storage.SqliteErrors;
import dev.libsqlplatform.dataplane.storage.StatementOutcome;
import dev.libsqlplatform.dataplane.storage.StatementRunner;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Runs statements of a stream on the right connection and keeps the stream's transaction state: authorization
 * (the caller's {@link Access}), routing, transaction state. Execution itself is storage's
 * {@link StatementRunner} (which also reports each statement to metering); arguments are decoded by {@link Args};
 * failures become Hrana errors in {@link StatementErrors}.
 *
 * <p>Routing: outside a transaction, SELECT/VALUES/EXPLAIN run on a reader; everything else (WITH
 * included) on the single writer, which the stream keeps while a transaction is open. {@code BEGIN
 * TRANSACTION READONLY} (rejected by stock SQLite) becomes {@code BEGIN DEFERRED} on a reader that the
 * stream keeps; writes inside it are refused.
 *
 * <p>Transaction state (sqlite-jdbc does not expose {@code sqlite3_get_autocommit}) is tracked lexically:
 * a successful BEGIN opens, a successful COMMIT/END/ROLLBACK (without TO) closes. Where the lexical view
 * can be wrong — SAVEPOINT/RELEASE/ROLLBACK TO, and any error inside a transaction (SQLite may roll back
 * by itself on SQLITE_FULL, IOERR, NOMEM, BUSY, INTERRUPT; a failed COMMIT leaves it open) — the state is
 * read exactly with {@link DbConnection#probeInTransaction()}.
 */
final class StmtExecutor {
    /**
     * {@code worker_statement_duration_seconds{kind}}: time of one tenant statement in the engine (queueing for the
     * writer included). Registered on Micrometer's global registry, which Spring Boot backs with the app's registry.
     */
    private static final Timer READ_TIME = Timer.builder("worker.statement.duration").tag("kind", "read")
            .description("time of one tenant statement: read = on a reader connection, write = on the writer "
                    + "(alone or inside a transaction), grouped = an autocommit write in a group commit")
            .register(Metrics.globalRegistry);
    private static final Timer WRITE_TIME = Timer.builder("worker.statement.duration").tag("kind", "write")
            .register(Metrics.globalRegistry);
    private static final Timer GROUPED_TIME = Timer.builder("worker.statement.duration").tag("kind", "grouped")
            .register(Metrics.globalRegistry);
    private final LongSupplier maxBytes;
    private final java.util.function.Supplier<String> storageLimitReason;

    StmtExecutor(LongSupplier maxBytes) {
        this(maxBytes, () -> null);
    }

    StmtExecutor(LongSupplier maxBytes, java.util.function.Supplier<String> storageLimitReason) {
        this.maxBytes = maxBytes;
        this.storageLimitReason = storageLimitReason;
    }

    static StmtExecutor forDatabase(java.util.function.Function<String, DatabaseMeta> metas, OpenDatabase db) {
        return new StmtExecutor(() -> {
            DatabaseMeta m = metas.apply(db.id());
            return m == null ? 0 : m.maxBytes();
        }, () -> {
            DatabaseMeta m = metas.apply(db.id());
            return m == null ? null : m.storageLimitReason();
        });
    }

    /** A failed statement as a Hrana error; the storage cap set by the organization's quota answers BLOCKED. */
    private HranaException failure(SQLException e) {
        return StatementErrors.of(e, maxBytes.getAsLong(), storageLimitReason.get());
    }

    static String resolveSql(Stream s, String sql, Integer sqlId) {
        if (sql != null && sqlId != null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "Either `sql` or `sql_id` are required, but not both");
        }
        if (sql != null) {
            return sql;
        }
        if (sqlId == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "Either `sql` or `sql_id` are required");
        }
        String stored = s.sqls.get(sqlId);
        if (stored == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "SQL text " + sqlId + " not found");
        }
        return stored;
    }

    /** Lexing + classification of repeated statement texts is done once (SqlStatement is immutable). */
    private static final int PARSE_CACHE_SIZE = 2048;
    private static final int MAX_CACHED_SQL_LENGTH = 4096;
    private static final java.util.concurrent.ConcurrentHashMap<String, SqlStatement> PARSED =
            new java.util.concurrent.ConcurrentHashMap<>();

    static SqlStatement parseOne(String sql) throws HranaException {
        SqlStatement st = sql == null ? null : PARSED.get(sql);
        if (st != null) {
            return st;
        }
        st = parseUncached(sql);
        if (sql.length() <= MAX_CACHED_SQL_LENGTH) {
            if (PARSED.size() >= PARSE_CACHE_SIZE) {
                PARSED.clear();
            }
            PARSED.put(sql, st);
        }
        return st;
    }

    private static SqlStatement parseUncached(String sql) throws HranaException {
        SqlStatement st;
        try {
            st = SqlScript.parseSingle(sql);
        } catch (SqlScript.MultipleStatementsException e) {
            throw new HranaException(HranaError.SQL_MANY_STATEMENTS, "SQL string contains more than one statement");
        }
        if (st == null) {
            throw new HranaException(HranaError.SQL_NO_STATEMENT, "SQL string does not contain any statement");
        }
        return st;
    }

    /** Executes one Hrana {@code Stmt}. */
    Proto.StmtResult execute(Stream s, Proto.Stmt stmt) throws HranaException {
        String sql = resolveSql(s, stmt.sql(), stmt.sqlId());
        SqlStatement st = parseOne(sql);
        boolean wantRows = stmt.wantRows() == null || stmt.wantRows();
        return run(s, st, stmt.args(), stmt.namedArgs(), wantRows);
    }

    /** Executes an already split statement with arguments. */
    Proto.StmtResult run(Stream s, SqlStatement st, List<Proto.Value> args, List<Proto.NamedArg> named,
                         boolean wantRows) throws HranaException {
        Access access = s.access;
        boolean mayWrite = admit(s, st);
        StatementKind kind = st.kind();
        DbConnection c = s.held;
        if (c == null && mayWrite && isPlainDml(st)) {
            return runGrouped(s, st, args, named, wantRows);
        }
        boolean borrowed = false;
        if (c == null) {
            try {
                if (kind == StatementKind.BEGIN_READONLY || (kind == StatementKind.BEGIN && !access.canWrite())) {
                    return beginReadonly(s, st.sql());
                }
                boolean onReader = kind == StatementKind.READ || !mayWrite;
                c = onReader ? s.db.acquireReader() : s.db.acquireWriter();
                borrowed = true;
            } catch (DatabaseBusyException e) {
                throw StatementErrors.of(e);
            } catch (SQLException e) {
                throw failure(e);
            }
        } else if (c.isReader() && !kind.isReadOnly() && kind != StatementKind.WITH) {
            throw StatementErrors.readonlyTransaction("the transaction was opened with BEGIN TRANSACTION READONLY");
        }

        String sqlText = kind == StatementKind.BEGIN_READONLY ? "BEGIN DEFERRED" : st.sql();
        boolean wasInTxn = c.inTransaction();
        long started = System.nanoTime();
        try {
            StatementOutcome out;
            try {
                out = s.db.runner().run(c, sqlText, st.sql(), Args.binder(st, args, named), wantRows, s.budget);
            } finally {
                (c.isReader() ? READ_TIME : WRITE_TIME).record(System.nanoTime() - started,
                        java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            switch (kind) {
                case BEGIN, BEGIN_READONLY -> c.setTransaction(true, c.isReader());
                case COMMIT, ROLLBACK -> c.setTransaction(false, false);
                case SAVEPOINT -> c.setTransaction(c.probeInTransaction(), c.isReader());
                case PRAGMA_WRITE -> c.markPragmasChanged();
                default -> {
                }
            }
            return toProto(out);
        } catch (ResultTooLargeException e) {
            throw StatementErrors.of(e);
        } catch (SQLException e) {
            if (wasInTxn || kind == StatementKind.COMMIT || kind == StatementKind.SAVEPOINT) {
                c.setTransaction(c.probeInTransaction(), c.isReader());
            }
            if (c.isReader() && SqliteErrors.isReadonlyViolation(e)) {
                if (!access.canWrite()) {
                    throw new HranaException(access.writeDenied());
                }
                throw StatementErrors.readonlyTransaction(SqliteErrors.sqliteMessage(e));
            }
            throw failure(e);
        } finally {
            try {
                settle(s, c, borrowed);
            } catch (FrameLogException e) {
                throw StatementErrors.of(e);
            }
        }
    }

    private static final java.util.regex.Pattern REMOVES_DATA = java.util.regex.Pattern.compile(
            "^\\s*(DELETE\\b|DROP\\b|VACUUM\\s*(main\\s*)?$)", java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * DELETE, DROP (table, index, view, trigger) or a plain VACUUM: what a tenant over its storage or write quota runs
     * to get back under it. Triggers fired by a DELETE may still write; the storage cap holds regardless.
     */
    static boolean onlyRemovesData(SqlStatement st) {
        return st.kind() == StatementKind.WRITE && !st.explain() && REMOVES_DATA.matcher(st.sql()).find();
    }

    /**
     * INSERT, UPDATE, DELETE or REPLACE outside a transaction: may share a transaction with concurrent ones of
     * the same database (GroupCommit). DDL stays alone: it changes the schema under cached statements.
     */
    static boolean isPlainDml(SqlStatement st) {
        if (st.kind() != StatementKind.WRITE || st.explain()) {
            return false;
        }
        String sql = st.sql();
        int i = 0;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return sql.regionMatches(true, i, "INSERT", 0, 6) || sql.regionMatches(true, i, "UPDATE", 0, 6)
                || sql.regionMatches(true, i, "DELETE", 0, 6) || sql.regionMatches(true, i, "REPLACE", 0, 7);
    }

    /**
     * What every statement passes before it runs: refused statements and blocked callers are answered here. Returns
     * whether the caller may write with it.
     */
    private static boolean admit(Stream s, SqlStatement st) throws HranaException {
        Access access = s.access;
        if (st.refusal() != null) {
            throw new HranaException(HranaError.SQL_NOT_ALLOWED, st.refusal());
        }
        if (access.readsBlocked()) {
            throw new HranaException(access.readsDenied());
        }
        StatementKind kind = st.kind();
        // blocked writes still let an autocommit DELETE/DROP/VACUUM through (Access.canShrink); in a transaction,
        // which a write-blocked caller opens read-only, every write stays refused
        boolean mayWrite = access.canWrite() || (s.held == null && access.canShrink() && onlyRemovesData(st));
        if (!mayWrite && !kind.isReadOnly() && kind != StatementKind.WITH) {
            throw new HranaException(access.writeDenied());
        }
        return mayWrite;
    }

    private Proto.StmtResult runGrouped(Stream s, SqlStatement st, List<Proto.Value> args, List<Proto.NamedArg> named,
                                        boolean wantRows) throws HranaException {
        StatementOutcome out;
        long started = System.nanoTime();
        try {
            out = s.db.runner().runGrouped(st.sql(), Args.binder(st, args, named), wantRows, s.budget);
        } catch (Exception e) {
            Exception f = groupedFailure(e);
            if (f instanceof HranaException h) {
                throw h;
            }
            throw (RuntimeException) f;
        }
        GROUPED_TIME.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        return toProto(out);
    }

    /**
     * A grouped statement's failure as the client gets it: a {@link HranaException} (the statement's error), or a
     * RuntimeException (an HTTP-level failure of the whole request).
     */
    private Exception groupedFailure(Exception e) {
        if (e instanceof FrameLogException f) {
            return StatementErrors.of(f);
        }
        if (e instanceof HranaException || e instanceof RuntimeException) {
            return e;
        }
        if (e instanceof ResultTooLargeException t) {
            return StatementErrors.of(t);
        }
        if (e instanceof DatabaseBusyException b) {
            return StatementErrors.of(b);
        }
        if (e instanceof SQLException q) {
            return failure(q);
        }
        return new IllegalStateException(e);
    }

    /**
     * {@link #execute} of one statement on a stream of its own that takes no connection, when it is an autocommit
     * INSERT/UPDATE/DELETE/REPLACE the caller may write: it joins the database's group commit without holding this
     * thread ({@link StatementRunner#runGroupedAsync}), and {@code then} gets its result or its failure (as
     * {@link #execute} would throw it) on the thread that led its group. False, and nothing done, for any other
     * statement: the caller runs it with {@link #execute}. A statement refused before it runs throws here.
     */
    boolean submitGrouped(Stream s, Proto.Stmt stmt, java.util.concurrent.Executor leaders,
                          java.util.function.BiConsumer<Proto.StmtResult, Exception> then) throws HranaException {
        if (s.held != null || stmt.sqlId() != null) {
            return false;
        }
        SqlStatement st = parseOne(resolveSql(s, stmt.sql(), null));
        if (!isPlainDml(st) || !admit(s, st)) {
            return false;
        }
        boolean wantRows = stmt.wantRows() == null || stmt.wantRows();
        long started = System.nanoTime();
        s.db.runner().runGroupedAsync(st.sql(), Args.binder(st, stmt.args(), stmt.namedArgs()), wantRows, s.budget, leaders,
                (out, error) -> {
                    if (error != null) {
                        then.accept(null, groupedFailure(error));
                        return;
                    }
                    GROUPED_TIME.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
                    then.accept(toProto(out), null);
                });
        return true;
    }

    /** One allocation per statement (not per row or column): rows and columns are handed over as they are. */
    private static Proto.StmtResult toProto(StatementOutcome o) {
        // rows_read as usage counts it: rows scanned, at least 1 per statement (reference §7.3)
        return new Proto.StmtResult(o.cols(), o.rows(), o.affectedRowCount(), o.lastInsertRowid(), Math.max(1, o.rowsRead()),
                o.affectedRowCount(), o.durationMs());
    }

    /** After a statement: keep the connection on the stream while a transaction is open, else give it back. */
    private static void settle(Stream s, DbConnection c, boolean borrowed) {
        if (c.inTransaction()) {
            s.hold(c);
        } else if (borrowed) {
            if (c.isReader()) {
                s.db.releaseReader(c);
            } else {
                s.db.releaseWriter(c);
            }
        } else if (s.held == c) {
            s.releaseConnection();
        }
    }

    private static Proto.StmtResult beginReadonly(Stream s, String meteredSql)
            throws DatabaseBusyException, SQLException {
        long t0 = System.nanoTime();
        s.hold(s.db.runner().beginReadonly(meteredSql));
        return new Proto.StmtResult(List.of(), List.of(), 0, null, 0, 0, (System.nanoTime() - t0) / 1e6);
    }

    /** {@code describe}: prepares without executing. */
    Proto.DescribeResult describe(Stream s, String sql) throws HranaException {
        SqlStatement st = parseOne(sql);
        if (st.refusal() != null) {
            throw new HranaException(HranaError.SQL_NOT_ALLOWED, st.refusal());
        }
        DbConnection c = s.held;
        boolean borrowed = false;
        try {
            if (c == null) {
                c = s.db.acquireReader();
                borrowed = true;
            }
            String text = st.kind() == StatementKind.BEGIN_READONLY ? "BEGIN DEFERRED" : st.sql();
            List<Column> cols = s.db.runner().describe(c, text);
            return new Proto.DescribeResult(st.paramNames(), cols, st.explain(), st.kind().isReadOnly());
        } catch (DatabaseBusyException e) {
            throw StatementErrors.of(e);
        } catch (SQLException e) {
            throw failure(e);
        } finally {
            if (borrowed && c != null) {
                s.db.releaseReader(c);
            }
        }
    }

}
