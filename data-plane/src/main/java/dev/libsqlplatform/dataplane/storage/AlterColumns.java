package dev.libsqlplatform.dataplane.storage;

import dev.libsqlplatform.dataplane.sql.LibsqlAlterColumn;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.core.DB;

/**
 * Applies libSQL's {@code ALTER TABLE t ALTER COLUMN c TO <definition>} (parsed by {@link LibsqlAlterColumn}):
 * inside a savepoint, the table's text in {@code sqlite_schema} is rewritten (defensive mode lifted for that one
 * UPDATE, natively) and the schema version bumped so every connection re-reads the schema, as SQLite documents for
 * schema edits; the table must then still parse, or everything is rolled back. No row is touched, as in libSQL: a
 * new type changes the affinity of later writes only, and new NOT NULL / CHECK / REFERENCES constraints apply to
 * later writes only.
 */
final class AlterColumns {
    private static final String SAVEPOINT = "libsql_alter_column";

    private AlterColumns() {
    }

    /** Runs the statement when it is an ALTER COLUMN; null otherwise (the caller runs it as usual). */
    static StatementOutcome runIfAlterColumn(DbConnection conn, String sql, long t0) throws SQLException {
        LibsqlAlterColumn.Request alter;
        try {
            alter = LibsqlAlterColumn.parse(sql);
        } catch (IllegalArgumentException refused) {
            throw error(refused.getMessage());
        }
        if (alter == null) {
            return null;
        }
        String create = createTableSql(conn, alter.table());
        if (create == null) {
            throw error("no such table: " + alter.table());
        }
        String rewritten;
        try {
            rewritten = LibsqlAlterColumn.rewrite(create, alter.column(), alter.definition());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
        DB sqlite = conn.sqlite().getDatabase();
        conn.trusted("SAVEPOINT " + SAVEPOINT);
        try {
            long version = single(conn, "PRAGMA schema_version");
            if (schemaWritable(sqlite, true) != 0) {
                throw error("cannot alter the schema");
            }
            try (PreparedStatement ps = conn.jdbc().prepareStatement(
                    "UPDATE main.sqlite_schema SET sql = ? WHERE type = 'table' AND name = ? COLLATE NOCASE")) {
                ps.setString(1, rewritten);
                ps.setString(2, alter.table());
                ps.executeUpdate();
                conn.trusted("PRAGMA schema_version = " + (version + 1));
            } finally {
                schemaWritable(sqlite, false);
            }
            // the new definition must parse: a broken one would leave a database nobody can open
            try (PreparedStatement check = conn.jdbc().prepareStatement(
                    "SELECT * FROM main.\"" + alter.table().replace("\"", "\"\"") + "\" LIMIT 0")) {
                check.executeQuery().close();
            } catch (SQLException broken) {
                // SQLite calls the unparsable schema corrupt; it is the client's definition that is wrong
                throw error("error in adding " + alter.definition() + " to " + alter.table() + ": "
                        + SqliteErrors.sqliteMessage(broken));
            }
            conn.trusted("RELEASE " + SAVEPOINT);
        } catch (SQLException e) {
            try {
                conn.trusted("ROLLBACK TO " + SAVEPOINT);
                conn.trusted("RELEASE " + SAVEPOINT);
            } catch (SQLException ignored) {
                // the original failure is the one to report
            }
            throw e;
        }
        return new StatementOutcome(List.of(), List.of(), 0, null, 0, (System.nanoTime() - t0) / 1e6);
    }

    private static String createTableSql(DbConnection conn, String table) throws SQLException {
        try (PreparedStatement ps = conn.jdbc().prepareStatement(
                "SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long single(DbConnection conn, String sql) throws SQLException {
        try (PreparedStatement ps = conn.jdbc().prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static SQLException error(String message) {
        return new SQLiteException("[SQLITE_ERROR] SQL error or missing database (" + message + ")", SQLiteErrorCode.SQLITE_ERROR);
    }

    /** Lifts (true) or restores (false) defensive mode for the platform's own schema write; SQLite's result code. */
    static native int schemaWritable(DB nativeDb, boolean writable);
}
