package dev.libsqlplatform.dataplane.hrana;

import java.sql.SQLException;
import dev.libsqlplatform.dataplane.storage.SandboxException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Turns sqlite-jdbc exceptions into Hrana errors: the SQLite message and the primary result code name. */
final class SqliteErrors {
    private SqliteErrors() {
    }

    static int primaryCode(SQLException e) {
        if (e instanceof SQLiteException se && se.getResultCode() != null) {
            return se.getResultCode().code & 0xff;
        }
        return e.getErrorCode() & 0xff;
    }

    static String primaryName(SQLException e) {
        int primary = primaryCode(e);
        SQLiteErrorCode c = SQLiteErrorCode.getErrorCode(primary);
        if (c == null || c == SQLiteErrorCode.UNKNOWN_ERROR) {
            return "SQLITE_ERROR";
        }
        return c.name();
    }

    /** The message SQLite produced, without sqlite-jdbc's "[CODE] generic text (...)" wrapping. */
    static String sqliteMessage(SQLException e) {
        String msg = e.getMessage();
        if (msg == null) {
            return "unknown SQLite error";
        }
        if (msg.startsWith("[")) {
            int close = msg.indexOf("] ");
            int open = msg.indexOf(" (", close);
            if (close > 0 && open > 0 && msg.endsWith(")")) {
                return msg.substring(open + 2, msg.length() - 1);
            }
            if (close > 0) {
                return msg.substring(close + 2);
            }
        }
        return msg;
    }

    static HranaException toHrana(SQLException e, long maxBytes) {
        if (e instanceof SandboxException se) {
            return switch (se.reason()) {
                case DENIED -> new HranaException(se.getMessage(), "SQL_NOT_ALLOWED");
                case TIMED_OUT -> new HranaException(se.getMessage(), "STATEMENT_TIMEOUT");
                case TEMP_FULL -> new HranaException("database or disk is full: " + se.getMessage()
                        + (maxBytes > 0 ? " (this database's storage limit, " + maxBytes + " bytes)" : ""), "SQLITE_FULL");
                case CANCELLED -> new HranaException(se.getMessage(), "SQLITE_INTERRUPT");
            };
        }
        String name = primaryName(e);
        String message = sqliteMessage(e);
        if (name.equals("SQLITE_FULL") && maxBytes > 0) {
            message = "database or disk is full: this database reached its storage limit of " + maxBytes + " bytes";
        }
        return new HranaException("SQLite error: " + message, name);
    }

    static boolean isReadonlyViolation(SQLException e) {
        return primaryCode(e) == 8; // SQLITE_READONLY
    }
}
