package dev.libsqlplatform.dataplane.hrana;

/**
 * Every code a Hrana {@code Error} of this worker carries: the errors of one stream request or statement, answered
 * inside a 200 pipeline response (HTTP-level failures are {@code error.ErrorCode}). The wire value is the constant's
 * name. The {@code SQLITE_*} constants are SQLite's primary result codes, named as sqlite-jdbc names them (a test
 * pins that); a statement failing with any other code reports {@link #SQLITE_ERROR}.
 */
public enum HranaError {
    // ---- protocol and platform: sqld's names where sqld has the error ----
    /** The statement is refused by the tenant sandbox (lexical policy or the authorizer). */
    SQL_NOT_ALLOWED,
    SQL_MANY_STATEMENTS,
    SQL_NO_STATEMENT,
    ARGS_INVALID,
    /** The statement ran longer than platform.worker.limits.statement-timeout. */
    STATEMENT_TIMEOUT,
    /** The rows would exceed platform.worker.limits.max-response-bytes. */
    RESPONSE_TOO_LARGE,
    SQL_STORE_TOO_MANY,
    STREAM_CLOSED,
    /** The control plane blocked reads or writes of the database (quota, operator). */
    BLOCKED,
    /** A read-only token tried to write. */
    PERMISSION_DENIED,

    // ---- SQLite primary result codes (sqlite3.h), by number ----
    SQLITE_OK(0),
    SQLITE_ERROR(1),
    SQLITE_INTERNAL(2),
    SQLITE_PERM(3),
    SQLITE_ABORT(4),
    SQLITE_BUSY(5),
    SQLITE_LOCKED(6),
    SQLITE_NOMEM(7),
    SQLITE_READONLY(8),
    SQLITE_INTERRUPT(9),
    SQLITE_IOERR(10),
    SQLITE_CORRUPT(11),
    SQLITE_NOTFOUND(12),
    SQLITE_FULL(13),
    SQLITE_CANTOPEN(14),
    SQLITE_PROTOCOL(15),
    SQLITE_EMPTY(16),
    SQLITE_SCHEMA(17),
    SQLITE_TOOBIG(18),
    SQLITE_CONSTRAINT(19),
    SQLITE_MISMATCH(20),
    SQLITE_MISUSE(21),
    SQLITE_NOLFS(22),
    SQLITE_AUTH(23),
    SQLITE_FORMAT(24),
    SQLITE_RANGE(25),
    SQLITE_NOTADB(26),
    SQLITE_NOTICE(27),
    SQLITE_WARNING(28),
    SQLITE_ROW(100),
    SQLITE_DONE(101);

    private static final HranaError[] BY_PRIMARY = new HranaError[256];

    static {
        for (HranaError e : values()) {
            if (e.sqlitePrimary >= 0) {
                BY_PRIMARY[e.sqlitePrimary] = e;
            }
        }
    }

    private final int sqlitePrimary;

    HranaError() {
        this(-1);
    }

    HranaError(int sqlitePrimary) {
        this.sqlitePrimary = sqlitePrimary;
    }

    /** The code of a statement that failed with SQLite's primary result code {@code primary} (0..255). */
    static HranaError ofSqlitePrimary(int primary) {
        HranaError e = primary >= 0 && primary < BY_PRIMARY.length ? BY_PRIMARY[primary] : null;
        return e == null ? SQLITE_ERROR : e;
    }
}
