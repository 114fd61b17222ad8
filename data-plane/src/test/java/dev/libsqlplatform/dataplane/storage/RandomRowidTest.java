package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libSQL's {@code CREATE TABLE ... RANDOM ROWID} on the worker's engine (native/sqlite-random-rowid.patch), through
 * a sandboxed tenant connection. Statement-by-statement agreement with the real libSQL engine (rows, messages) is
 * the end-to-end differential test's job (libsql-sql.test.mjs, "random-rowid" scripts); this test covers what
 * only the worker can show: a file made by libSQL opens, restarts, VACUUM, prepared-statement reuse, integrity.
 */
class RandomRowidTest {
    /** Made by npm {@code libsql} 0.5.29: {@code CREATE TABLE notes (body TEXT NOT NULL, n INTEGER) RANDOM ROWID;
     *  CREATE INDEX notes_n ON notes (n); CREATE TABLE plain (x)}, rows n = 1..20 each inserted by its own
     *  statement, one row in plain. Stock SQLite refuses it: "malformed database schema (notes)". */
    static final String LIBSQL_FILE = "/libsql/random-rowid.db";
    /** The rowid libSQL gave the row n = 7 in that file. */
    static final long LIBSQL_ROWID_OF_7 = 289867014832939706L;

    @TempDir
    Path dir;
    OpenDatabase db;
    DbConnection writer;

    @BeforeEach
    void open() throws Exception {
        SqliteEngine.load();
        reopen("t", false);
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.releaseWriter(writer);
            db.close();
        }
    }

    void reopen(String name, boolean closeFirst) throws Exception {
        if (closeFirst) {
            close();
        }
        db = VectorSqlTest.open(dir, name);
        writer = db.acquireWriter();
    }

    List<Object> run(String sql, Object... args) throws SQLException {
        return VectorSqlTest.rows(db, writer, sql, args).stream().map(r -> r.get(0)).toList();
    }

    long one(String sql) throws SQLException {
        return ((Number) run(sql).get(0)).longValue();
    }

    List<Long> rowids(String table) throws SQLException {
        return run("SELECT rowid FROM " + table + " ORDER BY rowid").stream().map(v -> ((Number) v).longValue()).toList();
    }

    void fails(String sql, String message) {
        assertThatThrownBy(() -> run(sql)).as(sql).isInstanceOf(SQLException.class).hasMessageContaining(message);
    }

    /** No two rowids follow each other: 1..n, or max + 1 counting, would. (Random rowids are drawn from 2^62.) */
    static void assertRandom(List<Long> rowids) {
        assertThat(rowids).allSatisfy(r -> assertThat(r).isPositive());
        Set<Long> seen = new HashSet<>(rowids);
        assertThat(seen).hasSameSizeAs(rowids);
        assertThat(rowids).noneMatch(r -> seen.contains(r + 1));
    }

    @Test
    void insertsWithoutARowidGetRandomOnesAndExplicitRowidsStay() throws Exception {
        run("CREATE TABLE t (id) RANDOM ROWID");
        run("CREATE TABLE seq (id)");
        run("INSERT INTO t VALUES (1), (2), (3)");
        run("INSERT INTO t DEFAULT VALUES");
        run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) INSERT INTO t SELECT i FROM n");
        run("REPLACE INTO t (id) VALUES (99)");
        run("INSERT INTO seq VALUES (1), (2), (3)");
        // one prepared statement run again and again (libSQL 0.5.29 counts up from the largest rowid then)
        writer.beginStatement(db.tempLimitBytes());
        try (PreparedStatement ps = writer.jdbc().prepareStatement("INSERT INTO t (id) VALUES (?)")) {
            for (int i = 0; i < 20; i++) {
                ps.setInt(1, 1000 + i);
                ps.executeUpdate();
            }
        } finally {
            writer.endStatement(null);
        }
        assertThat(rowids("t")).hasSize(75);
        assertRandom(rowids("t"));
        assertThat(rowids("seq")).containsExactly(1L, 2L, 3L);
        // last_insert_rowid() is the random rowid just given
        run("INSERT INTO t (id) VALUES ('last')");
        assertThat(one("SELECT last_insert_rowid()")).isEqualTo(one("SELECT rowid FROM t WHERE id = 'last'"));
        // an explicit rowid is taken as given, and a duplicate is refused as usual
        run("INSERT INTO t (rowid, id) VALUES (42, 'explicit')");
        assertThat(run("SELECT id FROM t WHERE rowid = 42")).containsExactly("explicit");
        fails("INSERT INTO t (rowid, id) VALUES (42, 'again')", "UNIQUE constraint failed: t.rowid");
        // an INTEGER PRIMARY KEY is the rowid: NULL gets a random one, a value is kept
        run("CREATE TABLE k (id INTEGER PRIMARY KEY, v) RANDOM ROWID");
        run("INSERT INTO k (id, v) VALUES (NULL, 'a'), (7, 'b')");
        run("INSERT INTO k (v) VALUES ('c')");
        assertThat(run("SELECT v FROM k WHERE id = 7")).containsExactly("b");
        assertThat(run("SELECT count(*) FROM k WHERE id > 1000000")).containsExactly(2);
        // INSERT ... SELECT * (SQLite's transfer path) into a RANDOM ROWID table
        run("CREATE TABLE copy (id) RANDOM ROWID");
        run("INSERT INTO copy SELECT * FROM seq");
        assertRandom(rowids("copy"));
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
    }

    @Test
    void invalidCombinationsFailWithLibsqlsMessages() throws Exception {
        fails("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT) RANDOM ROWID",
                "AUTOINCREMENT not allowed on RANDOM ROWID tables");
        fails("CREATE TABLE a (id PRIMARY KEY) RANDOM ROWID WITHOUT ROWID", "near \"WITHOUT\": syntax error");
        fails("CREATE TABLE a (id) RANDOM ROW_ID", "unknown table option: ROW_ID");
        fails("CREATE TABLE a (id) RANDOM 'rowid'", "unknown table option: 'rowid'");
        fails("CREATE TABLE a (id) RANDO ROWID", "near \"ROWID\": syntax error");
        fails("CREATE TABLE a (id) RANDOM", "incomplete input");
        fails("CREATE TABLE a (id) RANDOM;", "near \";\": syntax error");
        fails("CREATE TABLE a (id) RANDOM, STRICT", "near \",\": syntax error");
        fails("CREATE TABLE a (id) RANDOM ROWID STRICT", "near \"STRICT\": syntax error");
        fails("CREATE VIRTUAL TABLE v USING fts5 (a) RANDOM ROWID", "near \"RANDOM\": syntax error");
        fails("CREATE TABLE a AS SELECT 1 RANDOM ROWID", "near \"ROWID\": syntax error");
        assertThat(run("SELECT count(*) FROM sqlite_schema")).containsExactly(0);
        // accepted, as libSQL accepts them
        run("CREATE TABLE IF NOT EXISTS b (id) random /* comment */ rowid");
        run("CREATE TABLE IF NOT EXISTS b (id) RANDOM ROWID");
        run("CREATE TABLE c (id INTEGER) STRICT, RANDOM ROWID");
        run("CREATE TABLE d (id PRIMARY KEY) RANDOM ROWID, WITHOUT ROWID");
        run("CREATE TEMP TABLE e (id) RANDOM ROWID");
        run("INSERT INTO b VALUES (1), (2)");
        run("INSERT INTO c VALUES (1), (2)");
        run("INSERT INTO e VALUES (1), (2)");
        assertRandom(rowids("b"));
        assertRandom(rowids("c"));
        assertRandom(rowids("e"));
        fails("INSERT INTO c VALUES ('x')", "cannot store TEXT value in INTEGER column c.id");
        assertThat(run("SELECT sql FROM sqlite_schema WHERE name = 'b'"))
                .containsExactly("CREATE TABLE b (id) random /* comment */ rowid");
    }

    @Test
    void namesRandomAndRowidMeanWhatTheyAlwaysMeant() throws Exception {
        run("CREATE TABLE random (random, rowid2, b DEFAULT (random()), CHECK (random > 0))");
        run("INSERT INTO random (random, rowid2) VALUES (5, 6)");
        assertThat(run("SELECT random rowid FROM random")).containsExactly(5);
        assertThat(run("SELECT rowid random FROM random")).containsExactly(1);
        assertThat(run("SELECT typeof(rowid) FROM (SELECT random() rowid)")).containsExactly("integer");
        run("CREATE TABLE x (random ROWID, rowid INTEGER)");
        run("INSERT INTO x VALUES (1, 2)");
        assertThat(run("SELECT random FROM x")).containsExactly(1);
        assertThat(run("SELECT count(*) FROM random, x WHERE random.random > x.random")).containsExactly(1);
        run("CREATE TABLE \"random rowid\" (a)");
        run("INSERT INTO \"random rowid\" VALUES (1), (2)");
        assertThat(rowids("\"random rowid\"")).containsExactly(1L, 2L);
        // the column names a client sees
        writer.beginStatement(db.tempLimitBytes());
        try (PreparedStatement ps = writer.jdbc().prepareStatement("SELECT random rowid, rowid random FROM random");
                ResultSet rs = ps.executeQuery()) {
            assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("rowid");
            assertThat(rs.getMetaData().getColumnName(2)).isEqualTo("random");
        } finally {
            writer.endStatement(null);
        }
    }

    /**
     * Hostile option lists (the tokenizer change reads ahead from RANDOM): seeded random token soups, with unterminated
     * strings and comments, after CREATE TABLE. Each is a result or an SQLException; whatever got created takes inserts,
     * and the database stays intact. (Which answer is libSQL's: the differential test's generated cases.)
     */
    @Test
    void hostileOptionListsAreAnswersOrErrors() throws Exception {
        String[] pieces = {"RANDOM", "random", "ROWID", "rowid", ",", "(", ")", "WITHOUT", "STRICT", "/*", "*/", "--", "'", "\"",
            "[", "`", ";", "RANDOM ROWID", "random()", "x'00'", "?", "$a", "\n", "AS SELECT 1", "window", "KEY", "\u00e9", "\t"};
        java.util.Random r = new java.util.Random(29);
        int created = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder sql = new StringBuilder(r.nextBoolean() ? "CREATE TABLE h" + i + " (a, b) " : "CREATE TABLE h" + i + " ");
            for (int j = r.nextInt(6); j >= 0; j--) {
                sql.append(pieces[r.nextInt(pieces.length)]).append(r.nextInt(3) == 0 ? "" : " ");
            }
            try {
                run(sql.toString());
            } catch (SQLException expected) {
                continue;
            }
            if (!run("SELECT name FROM sqlite_schema WHERE name = ?", "h" + i).isEmpty()) {
                created++;
                run("INSERT INTO h" + i + " DEFAULT VALUES");
            }
        }
        assertThat(created).isGreaterThan(10);
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
        assertThat(run("SELECT 1")).containsExactly(1);
    }

    @Test
    void theOptionLivesInTheSchemaAcrossRestartsVacuumAndAlter() throws Exception {
        run("CREATE TABLE t (id, n) RANDOM ROWID");
        run("INSERT INTO t (id) VALUES (1), (2), (3)");
        reopen("t", true);
        run("INSERT INTO t (id) VALUES (4), (5)");
        List<Long> before = rowids("t");
        assertRandom(before);
        // VACUUM keeps the rowids (libSQL 0.5.29 renumbers them out of order and fails integrity_check)
        run("VACUUM");
        assertThat(rowids("t")).isEqualTo(before);
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
        // SQLite's ALTER TABLE and libSQL's ALTER COLUMN keep the option
        run("ALTER TABLE t RENAME TO t2");
        run("ALTER TABLE t2 ADD COLUMN extra DEFAULT 7");
        new StatementRunner(db, StatementListener.NONE).run(writer, "ALTER TABLE t2 ALTER COLUMN n TO n INTEGER",
                "ALTER TABLE t2 ALTER COLUMN n TO n INTEGER", ps -> { }, true, ResultBudget.unlimited());
        assertThat(run("SELECT sql FROM sqlite_schema WHERE name = 't2'"))
                .containsExactly("CREATE TABLE \"t2\" (id, n INTEGER, extra DEFAULT 7) RANDOM ROWID");
        reopen("t", true);
        run("INSERT INTO t2 (id) VALUES (6)");
        assertRandom(rowids("t2"));
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
    }

    @Test
    void aFileMadeByLibsqlOpensAndWorks() throws Exception {
        try (InputStream in = RandomRowidTest.class.getResourceAsStream(LIBSQL_FILE)) {
            Files.copy(in, dir.resolve("imported.db"));
        }
        reopen("imported", true);
        assertThat(run("SELECT count(*) FROM notes")).containsExactly(20);
        assertThat(one("SELECT rowid FROM notes WHERE n = 7")).isEqualTo(LIBSQL_ROWID_OF_7);
        assertThat(run("SELECT x FROM plain")).containsExactly("made by npm libsql 0.5.29");
        assertRandom(rowids("notes"));
        run("INSERT INTO notes (body, n) VALUES ('added here', 21)");
        run("INSERT INTO notes (rowid, body, n) VALUES (5, 'explicit', 22)");
        run("UPDATE notes SET body = 'seven' WHERE rowid = " + LIBSQL_ROWID_OF_7);
        run("DELETE FROM notes WHERE n = 1");
        assertThat(run("SELECT body FROM notes WHERE n IN (7, 22) ORDER BY n")).containsExactly("seven", "explicit");
        List<Long> ids = new ArrayList<>(rowids("notes"));
        ids.remove(Long.valueOf(5));
        assertRandom(ids);
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
        reopen("imported", true);
        assertThat(run("SELECT count(*) FROM notes")).containsExactly(21);
    }
}
