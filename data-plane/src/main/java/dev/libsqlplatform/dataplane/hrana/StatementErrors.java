package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.storage.DatabaseBusyException;
import dev.libsqlplatform.dataplane.storage.FrameLogException;
import dev.libsqlplatform.dataplane.storage.ResultTooLargeException;
import dev.libsqlplatform.dataplane.storage.SandboxException;
import dev.libsqlplatform.dataplane.storage.SqliteErrors;
import java.sql.SQLException;

/** The one mapping of execution failures (storage's exceptions) to Hrana errors: message and {@link HranaError}. */
final class StatementErrors {
    private StatementErrors() {
    }

    /**
     * As {@link #of(SQLException, long)}; when the database's cap is what its organization's storage quota leaves it
     * ({@code storageLimitReason} non-null), a write that needed more pages answers {@code BLOCKED} with that reason:
     * the tenant hit a quota, not a full disk.
     */
    static HranaException of(SQLException e, long maxBytes, String storageLimitReason) {
        if (storageLimitReason != null && !(e instanceof SandboxException)
                && HranaError.ofSqlitePrimary(SqliteErrors.primaryCode(e)) == HranaError.SQLITE_FULL) {
            return new HranaException(HranaError.BLOCKED, "writes are blocked for this database: " + storageLimitReason);
        }
        return of(e, maxBytes);
    }

    /** A failed statement: the sandbox's reason, or SQLite's message and primary result code. */
    static HranaException of(SQLException e, long maxBytes) {
        if (e instanceof SandboxException se) {
            return switch (se.reason()) {
                case DENIED -> new HranaException(HranaError.SQL_NOT_ALLOWED, se.getMessage());
                case TIMED_OUT -> new HranaException(HranaError.STATEMENT_TIMEOUT, se.getMessage());
                case TEMP_FULL -> new HranaException(HranaError.SQLITE_FULL, "database or disk is full: "
                        + se.getMessage()
                        + (maxBytes > 0 ? " (this database's storage limit, " + maxBytes + " bytes)" : ""));
                case CANCELLED -> new HranaException(HranaError.SQLITE_INTERRUPT, se.getMessage());
            };
        }
        HranaError code = HranaError.ofSqlitePrimary(SqliteErrors.primaryCode(e));
        String message = SqliteErrors.sqliteMessage(e);
        if (code == HranaError.SQLITE_FULL && maxBytes > 0) {
            message = "database or disk is full: this database reached its storage limit of " + maxBytes + " bytes";
        }
        return new HranaException(code, "SQLite error: " + message);
    }

    /** The writer (or every reader) stayed busy for the busy timeout. */
    /** The commit happened but could not be logged durably for replication: not acknowledged. */
    static HranaException of(FrameLogException e) {
        return new HranaException(HranaError.SQLITE_IOERR, e.getMessage());
    }

    static HranaException of(DatabaseBusyException e) {
        return new HranaException(HranaError.SQLITE_BUSY, e.getMessage());
    }

    static HranaException of(ResultTooLargeException e) {
        return new HranaException(HranaError.RESPONSE_TOO_LARGE, e.getMessage());
    }

    /** A write on a reader connection: inside a READONLY transaction. */
    static HranaException readonlyTransaction(String why) {
        return new HranaException(HranaError.SQLITE_READONLY, "cannot write in a READONLY transaction: " + why);
    }
}
