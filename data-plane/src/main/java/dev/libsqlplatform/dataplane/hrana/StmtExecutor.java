package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.sql.SqlScript;
import dev.libsqlplatform.dataplane.sql.SqlStatement;
import dev.libsqlplatform.dataplane.sql.StatementKind;
import dev.libsqlplatform.dataplane.storage.DatabaseBusyException;
import dev.libsqlplatform.dataplane.storage.DatabaseMeta;
import dev.libsqlplatform.dataplane.storage.DbConnection;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * Runs statements of a stream on the right connection and keeps the stream's transaction state.
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
    private static final int SQLITE_INTEGER = 1;
    private static final int SQLITE_FLOAT = 2;
    private static final int SQLITE_TEXT = 3;
    private static final int SQLITE_BLOB = 4;
    private static final int SQLITE_ROW = 100;

    private final LongSupplier maxBytes;
    private final LongSupplier tempLimit;

    StmtExecutor(LongSupplier maxBytes, LongSupplier tempLimit) {
        this.maxBytes = maxBytes;
        this.tempLimit = tempLimit;
    }

    static StmtExecutor forDatabase(java.util.function.Function<String, DatabaseMeta> metas, OpenDatabase db) {
        return new StmtExecutor(() -> {
            DatabaseMeta m = metas.apply(db.id());
            return m == null ? 0 : m.maxBytes();
        }, db::tempLimitBytes);
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
            throw new HranaException("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
        }
        if (st == null) {
            throw new HranaException("SQL string does not contain any statement", "SQL_NO_STATEMENT");
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
        if (st.refusal() != null) {
            throw new HranaException(st.refusal(), "SQL_NOT_ALLOWED");
        }
        if (access.readsBlocked()) {
            Proto.Error blocked = access.readsDenied();
            throw new HranaException(blocked.message(), blocked.code());
        }
        StatementKind kind = st.kind();
        if (!access.canWrite() && !kind.isReadOnly() && kind != StatementKind.WITH) {
            Proto.Error denied = access.writeDenied();
            throw new HranaException(denied.message(), denied.code());
        }

        DbConnection c = s.held;
        if (c == null && access.canWrite() && isPlainDml(st)) {
            return runGrouped(s, st, args, named, wantRows);
        }
        boolean borrowed = false;
        if (c == null) {
            try {
                if (kind == StatementKind.BEGIN_READONLY || (kind == StatementKind.BEGIN && !access.canWrite())) {
                    Proto.StmtResult begun = beginReadonly(s);
                    s.db.usage().recordStatement(st.sql(), 0, 0);
                    return begun;
                }
                boolean onReader = kind == StatementKind.READ || !access.canWrite();
                c = onReader ? s.db.acquireReader() : s.db.acquireWriter();
                borrowed = true;
            } catch (DatabaseBusyException e) {
                throw new HranaException(e.getMessage(), "SQLITE_BUSY");
            } catch (SQLException e) {
                throw SqliteErrors.toHrana(e, maxBytes.getAsLong());
            }
        } else if (c.isReader() && !kind.isReadOnly() && kind != StatementKind.WITH) {
            throw new HranaException("cannot write in a READONLY transaction: the transaction was opened with"
                    + " BEGIN TRANSACTION READONLY", "SQLITE_READONLY");
        }

        String sqlText = kind == StatementKind.BEGIN_READONLY ? "BEGIN DEFERRED" : st.sql();
        boolean wasInTxn = c.inTransaction();
        try {
            Proto.StmtResult result = runOn(c, sqlText, st, args, named, wantRows, s.budget);
            // usage: counted when the statement ran, so rows written in a transaction rolled back later count
            s.db.usage().recordStatement(st.sql(), result.rowsRead(), result.rowsWritten());
            switch (kind) {
                case BEGIN, BEGIN_READONLY -> c.setTransaction(true, c.isReader());
                case COMMIT, ROLLBACK -> c.setTransaction(false, false);
                case SAVEPOINT -> c.setTransaction(c.probeInTransaction(), c.isReader());
                case PRAGMA_WRITE -> c.markPragmasChanged();
                default -> {
                }
            }
            return result;
        } catch (SQLException e) {
            if (wasInTxn || kind == StatementKind.COMMIT || kind == StatementKind.SAVEPOINT) {
                c.setTransaction(c.probeInTransaction(), c.isReader());
            }
            if (c.isReader() && SqliteErrors.isReadonlyViolation(e)) {
                if (!access.canWrite()) {
                    Proto.Error denied = access.writeDenied();
                    throw new HranaException(denied.message(), denied.code());
                }
                throw new HranaException("cannot write in a READONLY transaction: " + SqliteErrors.sqliteMessage(e),
                        "SQLITE_READONLY");
            }
            throw SqliteErrors.toHrana(e, maxBytes.getAsLong());
        } finally {
            settle(s, c, borrowed);
        }
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

    private Proto.StmtResult runGrouped(Stream s, SqlStatement st, List<Proto.Value> args, List<Proto.NamedArg> named,
                                        boolean wantRows) throws HranaException {
        Proto.StmtResult result;
        try {
            ResponseBudget budget = s.budget;
            result = s.db.groupCommit().submit(w -> runOn(w, st.sql(), st, args, named, wantRows, budget));
        } catch (HranaException | RuntimeException e) {
            throw e;
        } catch (DatabaseBusyException e) {
            throw new HranaException(e.getMessage(), "SQLITE_BUSY");
        } catch (SQLException e) {
            throw SqliteErrors.toHrana(e, maxBytes.getAsLong());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        s.db.usage().recordStatement(st.sql(), result.rowsRead(), result.rowsWritten());
        return result;
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

    private Proto.StmtResult beginReadonly(Stream s) throws DatabaseBusyException, SQLException {
        long t0 = System.nanoTime();
        DbConnection r = s.db.acquireReader();
        try {
            r.exec("BEGIN DEFERRED");
        } catch (SQLException e) {
            s.db.releaseReader(r);
            throw e;
        }
        r.setTransaction(true, true);
        s.hold(r);
        return new Proto.StmtResult(List.of(), List.of(), 0, null, 0, 0, (System.nanoTime() - t0) / 1e6);
    }

    private Proto.StmtResult runOn(DbConnection conn, String sqlText, SqlStatement st, List<Proto.Value> args,
                                   List<Proto.NamedArg> named, boolean wantRows, ResponseBudget budget)
            throws SQLException, HranaException {
        long t0 = System.nanoTime();
        DB db = conn.sqlite().getDatabase();
        conn.beginStatement(tempLimit.getAsLong());
        SQLException failure = null;
        PreparedStatement ps = null;
        boolean clean = false;
        try {
            ps = conn.take(sqlText);
            bind(ps, st, args, named);
            CoreStatement core = (CoreStatement) ps;
            long totalBefore = db.total_changes();
            boolean hasRows = ps.execute();
            int n = core.pointer.safeRunInt((d, p) -> d.column_count(p));
            List<Proto.Col> cols = n == 0 ? List.of() : new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                final int col = i;
                String name = core.pointer.safeRun((d, p) -> d.column_name(p, col));
                String decl = core.pointer.safeRun((d, p) -> d.column_decltype(p, col));
                cols.add(new Proto.Col(name, decl));
            }
            List<Object[]> rows = List.of();
            long rowsRead = 0;
            if (hasRows) {
                ResultSet rs = ps.getResultSet();
                if (rs != null) {
                    rows = wantRows ? new ArrayList<>() : Collections.emptyList();
                    while (rs.next()) {
                        rowsRead++;
                        if (wantRows) {
                            Object[] row = core.pointer.safeRun((d, p) -> readRow(d, p, n));
                            budget.charge(row);
                            rows.add(row);
                        }
                    }
                    rs.close(); // resets the statement: it holds no read snapshot while cached
                }
            }
            long totalAfter = db.total_changes();
            long affected = 0;
            Long lastRowid = null;
            if (totalAfter != totalBefore) {
                affected = db.changes();
                lastRowid = lastInsertRowid(conn);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            clean = true;
            return new Proto.StmtResult(cols, rows, affected, lastRowid, rowsRead, affected, ms);
        } catch (SQLException e) {
            failure = e;
            throw e;
        } finally {
            SQLException explained = conn.endStatement(failure);
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

    private static final String LAST_INSERT_ROWID = "SELECT last_insert_rowid()";

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

    static void bind(PreparedStatement ps, SqlStatement st, List<Proto.Value> args, List<Proto.NamedArg> named)
            throws SQLException, HranaException {
        int count = st.paramCount();
        if (args != null) {
            if (args.size() > count) {
                throw new HranaException("Arguments do not match SQL parameters: the statement takes " + count
                        + " parameters but " + args.size() + " positional arguments were given", "ARGS_INVALID");
            }
            for (int i = 0; i < args.size(); i++) {
                setValue(ps, i + 1, args.get(i));
            }
        }
        if (named != null) {
            for (Proto.NamedArg a : named) {
                Integer idx = paramIndex(st, a.name());
                if (idx == null) {
                    throw new HranaException("Arguments do not match SQL parameters: the statement has no parameter"
                            + " named '" + a.name() + "'", "ARGS_INVALID");
                }
                setValue(ps, idx, a.value());
            }
        }
    }

    private static Integer paramIndex(SqlStatement st, String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        char c = name.charAt(0);
        if (c == ':' || c == '@' || c == '$' || c == '?') {
            return st.paramIndex().get(name);
        }
        Integer idx = st.paramIndex().get(":" + name);
        if (idx == null) {
            idx = st.paramIndex().get("@" + name);
        }
        if (idx == null) {
            idx = st.paramIndex().get("$" + name);
        }
        if (idx == null && name.chars().allMatch(Character::isDigit)) {
            idx = st.paramIndex().get("?" + name);
            if (idx == null) {
                try {
                    int n = Integer.parseInt(name);
                    idx = n >= 1 && n <= st.paramCount() ? n : null;
                } catch (NumberFormatException e) {
                    idx = null;
                }
            }
        }
        return idx;
    }

    static void setValue(PreparedStatement ps, int idx, Proto.Value v) throws SQLException {
        if (v == null || v.type() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a value has no type");
        }
        switch (v.type()) {
            case "null" -> ps.setNull(idx, Types.NULL);
            case "integer" -> ps.setLong(idx, toLong(v.value()));
            case "float" -> ps.setDouble(idx, toDouble(v.value()));
            case "text" -> {
                if (v.value() == null) {
                    throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a text value has no `value`");
                }
                ps.setString(idx, v.value().toString());
            }
            case "blob" -> ps.setBytes(idx, decodeBase64(v.base64()));
            default -> throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "unknown value type '" + v.type() + "'");
        }
    }

    private static long toLong(Object o) {
        try {
            if (o instanceof String s) {
                return Long.parseLong(s.trim());
            }
            if (o instanceof Number n) {
                return n.longValue();
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "an integer value must be a decimal string");
    }

    private static double toDouble(Object o) {
        try {
            if (o instanceof Number n) {
                return n.doubleValue();
            }
            if (o instanceof String s) {
                return Double.parseDouble(s.trim());
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a float value must be a number");
    }

    private static byte[] decodeBase64(String b64) {
        if (b64 == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a blob value has no `base64`");
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(b64);
            } catch (IllegalArgumentException e2) {
                throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a blob value is not valid base64");
            }
        }
    }

    /** {@code describe}: prepares without executing. */
    Proto.DescribeResult describe(Stream s, String sql) throws HranaException {
        SqlStatement st = parseOne(sql);
        if (st.refusal() != null) {
            throw new HranaException(st.refusal(), "SQL_NOT_ALLOWED");
        }
        DbConnection c = s.held;
        boolean borrowed = false;
        try {
            if (c == null) {
                c = s.db.acquireReader();
                borrowed = true;
            }
            String text = st.kind() == StatementKind.BEGIN_READONLY ? "BEGIN DEFERRED" : st.sql();
            c.beginStatement(tempLimit.getAsLong());
            SQLException failure = null;
            try (PreparedStatement ps = c.jdbc().prepareStatement(text)) {
                CoreStatement core = (CoreStatement) ps;
                int n = core.pointer.safeRunInt((d, p) -> d.column_count(p));
                List<Proto.Col> cols = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    final int col = i;
                    cols.add(new Proto.Col(core.pointer.safeRun((d, p) -> d.column_name(p, col)),
                            core.pointer.safeRun((d, p) -> d.column_decltype(p, col))));
                }
                return new Proto.DescribeResult(st.paramNames(), cols, st.explain(), st.kind().isReadOnly());
            } catch (SQLException e) {
                failure = e;
                throw e;
            } finally {
                SQLException explained = c.endStatement(failure);
                if (explained != failure) {
                    throw explained;
                }
            }
        } catch (DatabaseBusyException e) {
            throw new HranaException(e.getMessage(), "SQLITE_BUSY");
        } catch (SQLException e) {
            throw SqliteErrors.toHrana(e, maxBytes.getAsLong());
        } finally {
            if (borrowed && c != null) {
                s.db.releaseReader(c);
            }
        }
    }

}
