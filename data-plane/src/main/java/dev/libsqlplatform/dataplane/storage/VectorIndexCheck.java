package dev.libsqlplatform.dataplane.storage;

import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.core.DB;

/**
 * libSQL's checks for {@code CREATE INDEX ... (libsql_vector_idx(col, ...))}. On the worker's stock SQLite a
 * vector index is an ordinary expression index (see {@code vector_index.c}), which SQLite would accept on any
 * column with any options; libSQL refuses a column without a vector type such as {@code F32_BLOB(3)}, unknown
 * options and composite keys when the index is created, with these messages. Runs before the statement, on the
 * statement's own connection, in native code beside the index implementation.
 */
final class VectorIndexCheck {
    private static final String MARKER = "libsql_vector_idx";

    private VectorIndexCheck() {
    }

    /** Throws libSQL's error for a vector index that libSQL would not create; anything else passes untouched. */
    static void beforeRunning(DB sqlite, String sql) throws SQLException {
        if (!mentionsMarker(sql)) {
            return;
        }
        String error = check(sqlite, sql);
        if (error != null) {
            throw new SQLiteException("[SQLITE_ERROR] SQL error or missing database (" + error + ")",
                    SQLiteErrorCode.SQLITE_ERROR);
        }
    }

    /** A CREATE statement that mentions the marker (only CREATE INDEX can define a vector index). */
    static boolean mentionsMarker(String sql) {
        int start = 0;
        while (start < sql.length() && Character.isWhitespace(sql.charAt(start))) {
            start++;
        }
        if (!sql.regionMatches(true, start, "CREATE", 0, 6)) {
            return false;
        }
        for (int i = start; i + MARKER.length() <= sql.length(); i++) {
            if (sql.regionMatches(true, i, MARKER, 0, MARKER.length())) {
                return true;
            }
        }
        return false;
    }

    private static native String check(DB nativeDb, String sql);
}
