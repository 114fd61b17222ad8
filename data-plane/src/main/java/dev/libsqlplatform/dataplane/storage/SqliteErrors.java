package dev.libsqlplatform.dataplane.storage;

import java.sql.SQLException;
import org.sqlite.SQLiteException;

/** What sqlite-jdbc's exceptions carry, without its wrapping: the primary result code and SQLite's own message. */
public final class SqliteErrors {
    /** SQLITE_READONLY. */
    private static final int READONLY = 8;

    private SqliteErrors() {
    }

    /** The primary result code (extended codes reduced to their low byte, as SQLite defines them). */
    public static int primaryCode(SQLException e) {
        if (e instanceof SQLiteException se && se.getResultCode() != null) {
            return se.getResultCode().code & 0xff;
        }
        return e.getErrorCode() & 0xff;
    }

    /** The message SQLite produced, without sqlite-jdbc's "[CODE] generic text (...)" wrapping. */
    public static String sqliteMessage(SQLException e) {
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

    public static boolean isReadonlyViolation(SQLException e) {
        return primaryCode(e) == READONLY;
    }
}
