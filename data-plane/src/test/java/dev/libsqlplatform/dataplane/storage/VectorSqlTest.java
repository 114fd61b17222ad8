package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.usage.UsageTracker;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.core.DB;

/**
 * libSQL's vector SQL on the worker's engine, through a sandboxed tenant connection (authorizer enforcing,
 * trusted_schema off, deadline on). Exact results and libSQL's error messages are compared with the real libSQL
 * engine by the end-to-end differential test (src-test-e2e, libsql-sql.test.mjs); this test covers what only
 * the worker can show: restarts, isolation between database files, hostile input, sandbox interplay.
 */
class VectorSqlTest {
    @TempDir
    Path dir;
    OpenDatabase db;
    DbConnection writer;

    OpenDatabase open(String name) throws SQLException {
        return open(dir, name);
    }

    /** A database file {@code <name>.db} in {@code dir}, opened as the worker opens tenant databases. */
    static OpenDatabase open(Path dir, String name) throws SQLException {
        LimitsProperties l = EngineSandboxTest.limits(Duration.ofSeconds(5));
        StorageSettings settings = new StorageSettings(2, 2000, "FULL", l.engineLimits(),
                l.statementTimeout().toNanos(), l.maxTempBytes().toBytes(), true);
        return new OpenDatabase(name, dir.resolve(name + ".db"), settings, 64L * 1024 * 1024,
                new UsageTracker(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).forDatabase(name),
                new BlockedWaits());
    }

    @BeforeEach
    void open() throws Exception {
        SqliteEngine.load();
        db = open("t");
        writer = db.acquireWriter();
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.releaseWriter(writer);
            db.close();
        }
    }

    /** Runs one tenant statement as the executor does; returns every row (all columns). */
    static List<List<Object>> rows(OpenDatabase db, DbConnection c, String sql, Object... args) throws SQLException {
        c.beginStatement(db.tempLimitBytes());
        SQLException failure = null;
        try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<List<Object>> out = new ArrayList<>();
            if (ps.execute()) {
                try (ResultSet rs = ps.getResultSet()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>();
                        for (int i = 1; i <= n; i++) {
                            row.add(rs.getObject(i));
                        }
                        out.add(row);
                    }
                }
            }
            return out;
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

    List<Object> run(String sql, Object... args) throws SQLException {
        return rows(db, writer, sql, args).stream().map(r -> r.get(0)).toList();
    }

    void fails(String sql, String message) {
        assertThatThrownBy(() -> run(sql)).as(sql).isInstanceOf(SQLException.class).hasMessageContaining(message);
    }

    /**
     * A file whose vector index was made before its entries held hashes fails SQLite's integrity_check until it is
     * rebuilt; the worker rebuilds it, logged, at the file's first write, once. The fixture was written by the worker
     * of 4cb1e33 (libsql_vector_idx stored NULL): table v (emb F32_BLOB(3)), rows [i,1,2] for i = 0..19, index v_idx
     * with metric=l2.
     */
    @Test
    void aVectorIndexOfTheOldEntryFormatIsRebuiltAtTheFirstWrite() throws Exception {
        db.releaseWriter(writer);
        db.close();
        try (java.io.InputStream in = VectorSqlTest.class.getResourceAsStream("/vector/index-entries-null.db")) {
            java.nio.file.Files.copy(in, dir.resolve("old.db"));
        }
        Path marker = dir.resolve("old.db" + OpenDatabase.VECTOR_FORMAT_MARKER);

        db = open("old");
        DbConnection reader = db.acquireReader();
        try {
            assertThat(integrity(reader)).isNotEqualTo("ok");
        } finally {
            db.releaseReader(reader);
        }
        writer = db.acquireWriter();
        assertThat(marker).exists();
        reader = db.acquireReader();
        try {
            assertThat(integrity(reader)).isEqualTo("ok");
        } finally {
            db.releaseReader(reader);
        }
        assertThat(run("SELECT id FROM vector_top_k('v_idx', vector32('[3,1,2]'), 1)")).containsExactly(4);
        long frames = db.frameLog().lastCommitFrameNo();
        db.releaseWriter(writer);
        db.close();
        db = open("old");
        writer = db.acquireWriter();
        assertThat(db.frameLog().lastCommitFrameNo()).as("rebuilt once: nothing written at the next open").isEqualTo(frames);
    }

    private static String integrity(DbConnection c) throws SQLException {
        return c.trustedWork(jdbc -> {
            try (java.sql.Statement s = jdbc.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    @Test
    void vectorFunctionsUseLibsqlFormats() throws Exception {
        assertThat(run("SELECT hex(vector32('[1.10101010101010101010101010]'))")).containsExactly("E6ED8C3F");
        assertThat(run("SELECT hex(vector64('[1.10101010101010101010101010]'))")).containsExactly("F37686C4BC9DF13F02");
        assertThat(run("SELECT hex(vector16(vector32('[-20,-35.44,1,1.5,2,3,10,100,105,110]')))"))
                .containsExactly("00CD6ED0003C003E00400042004940569056E05605");
        assertThat(run("SELECT hex(vector1bit('[-0.000001,1e-100,1e100,-1e10,1e-10,0,1.5]'))")).containsExactly("540903");
        assertThat(run("SELECT hex(vector8('[-20,-35.44,1,1.5,2,3,10,100,105,110]'))"))
                .containsExactly("1B004041424350EDF6FF0000A702123F8FC20DC2000204");
        assertThat(run("SELECT vector_extract(vectorb16('[-20,-35.44,1,1.5,2,3,10,100,105,110]'))"))
                .containsExactly("[-20,-35.25,1,1.5,2,3,10,100,105,110]");
        assertThat(run("SELECT vector_distance_cos('[1,2]', '[2,1]')")).containsExactly((double) 0.2f);
        assertThat(run("SELECT vector_distance_l2(vector8('[1,2,2,3,4,1,5]'), vector8('[2,3,1,-1,2,4,5]'))"))
                .containsExactly(5.654135227203369);
        fails("SELECT vector('[1, 2, 1.1.1, 4]')", "vector: invalid float at position 2: '1.1.1'");
        fails("SELECT vector_distance_cos(vector32('[1,2,3]'), vector64('[1,2,3]'))",
                "vector_distance: vectors must have the same type: 1 != 2");
    }

    @Test
    void hostileVectorsAreErrorsAndTheConnectionStaysUsable() throws Exception {
        String huge = "[" + "1,".repeat(70_000) + "1]";
        fails("SELECT vector('" + huge + "')", "vector: max size exceeded 65536");
        fails("SELECT vector(zeroblob(262148))", "vector: max size exceeded: 65537 > 65536");
        fails("SELECT vector_extract(x'0000000000000000000000000004')", "unexpected data part size");
        fails("SELECT vector_extract(x'FFFF03')", "float1bit vector blob has more trailing bits than bits");
        fails("SELECT vector_extract(x'0000000000000000000000FF04')", "float8 vector blob is shorter");
        fails("SELECT vector(x'07')", "vector: unexpected binary type: 7");
        fails("SELECT vector('[" + "9".repeat(2000) + "]')", "float string length exceeded 1024 characters");
        fails("SELECT vector_distance_cos(?, ?)", "unexpected value type: got NULL");
        // every type byte and length up to 40 bytes, random contents: answers or errors, never a crash
        java.util.Random random = new java.util.Random(17);
        for (int len = 0; len <= 40; len++) {
            for (int type = 0; type <= 7; type++) {
                byte[] blob = new byte[len + 1];
                random.nextBytes(blob);
                blob[len] = (byte) type;
                for (String fn : List.of("vector_extract(?)", "hex(vector8(?))", "hex(vector1bit(?))", "vector_distance_cos(?, ?)")) {
                    try {
                        rows(db, writer, "SELECT " + fn, fn.contains(",") ? new Object[] {blob, blob} : new Object[] {blob});
                    } catch (SQLException expected) {
                        assertThat(expected.getMessage()).contains("vector");
                    }
                }
            }
        }
        assertThat(run("SELECT vector_extract(vector('[1,2]'))")).containsExactly("[1,2]");
    }

    @Test
    void vectorIndexLivesInTheFileAndSurvivesRestart() throws Exception {
        run("CREATE TABLE docs (id INTEGER PRIMARY KEY, kind TEXT, emb F32_BLOB(3))");
        run("CREATE INDEX docs_idx ON docs (libsql_vector_idx(emb, 'metric=cosine'))");
        run("CREATE INDEX docs_a_idx ON docs (libsql_vector_idx(emb)) WHERE kind = 'a'");
        run("INSERT INTO docs (kind, emb) VALUES ('a', vector('[1,2,3]')), ('b', vector('[2,3,4]')), ('a', vector('[5,6,7]')), ('b', NULL)");
        assertThat(run("SELECT id FROM vector_top_k('docs_idx', vector('[5,6,7]'), 10)")).containsExactly(3, 2, 1);
        assertThat(run("SELECT id FROM vector_top_k('docs_a_idx', vector('[2,3,4]'), 10)")).containsExactly(1, 3);
        assertThat(run("SELECT d.kind FROM vector_top_k('docs_idx', '[1,2,3]', 1) AS v JOIN docs d ON d.rowid = v.id"))
                .containsExactly("a");
        assertThat(run("SELECT id FROM docs WHERE rowid IN vector_top_k('docs_idx', '[5,6,7]', 2) ORDER BY id"))
                .containsExactly(2, 3);
        // a view and a trigger using them work with trusted_schema off (the functions are innocuous)
        run("CREATE VIEW nearest AS SELECT id FROM vector_top_k('docs_idx', vector('[1,2,3]'), 1)");
        assertThat(run("SELECT * FROM nearest")).containsExactly(1);
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");

        db.releaseWriter(writer);
        db.close();
        db = open("t");
        writer = db.acquireWriter();
        assertThat(run("SELECT id FROM vector_top_k('docs_idx', vector('[5,6,7]'), 10)")).containsExactly(3, 2, 1);
        run("DELETE FROM docs WHERE id = 3");
        assertThat(run("SELECT id FROM vector_top_k('docs_a_idx', vector('[5,6,7]'), 10)")).containsExactly(1);
    }

    @Test
    void searchSeesOnlyItsOwnDatabase() throws Exception {
        run("CREATE TABLE t (emb F32_BLOB(2))");
        run("CREATE INDEX t_idx ON t (libsql_vector_idx(emb))");
        run("INSERT INTO t VALUES (vector('[1,0]'))");
        OpenDatabase other = open("other");
        DbConnection w = other.acquireWriter();
        try {
            rows(other, w, "CREATE TABLE t (emb F32_BLOB(2))");
            rows(other, w, "CREATE INDEX t_idx ON t (libsql_vector_idx(emb))");
            rows(other, w, "INSERT INTO t VALUES (vector('[0,1]')), (vector('[1,1]'))");
            assertThat(rows(other, w, "SELECT id FROM vector_top_k('t_idx', vector('[1,0]'), 10)"))
                    .containsExactly(List.of(2), List.of(1));
            assertThat(run("SELECT id FROM vector_top_k('t_idx', vector('[1,0]'), 10)")).containsExactly(1);
        } finally {
            other.releaseWriter(w);
            other.close();
        }
        // the schema prefix reaches nothing but main
        fails("SELECT * FROM vector_top_k('temp.t_idx', vector('[1,0]'), 1)", "unknown schema 'temp'");
        fails("SELECT * FROM vector_top_k('other.t_idx', vector('[1,0]'), 1)", "unknown schema 'other'");
    }

    @Test
    void indexErrorsAreLibsqls() throws Exception {
        run("CREATE TABLE t (emb FLOAT32(4), n INTEGER)");
        run("CREATE INDEX t_idx ON t (libsql_vector_idx(emb))");
        fails("INSERT INTO t VALUES ('not a vector', 1)", "vector: must start with '['");
        fails("INSERT INTO t VALUES (7, 1)", "vector: unexpected value type: got FLOAT"); // REAL affinity of FLOAT32(4)
        fails("SELECT * FROM vector_top_k('t_idx', vector('[1,2]'), 2)", "vector index(search): dimensions are different: 2 != 4");
        fails("SELECT * FROM vector_top_k('t_idx', vector('[1,2,3,4]'), 2.5)", "third parameter (k) must be an integer");
        fails("SELECT * FROM vector_top_k('missing', vector('[1,2,3,4]'), 2)", "failed to parse vector index parameters");
        fails("SELECT * FROM vector_top_k('t_idx', vector('[1,2,3,4]'))", "got 2 parameters, expected 3");
        fails("CREATE VIRTUAL TABLE v USING vector_top_k", "vector_top_k");
    }

    @Test
    void insertsAreCheckedAgainstTheIndexedColumnType() throws Exception {
        run("CREATE TABLE t (emb FLOAT32(3))");
        run("INSERT INTO t VALUES (vector('[1]'))");
        // the rows already there are checked when the index is created, as libSQL does
        fails("CREATE INDEX t_idx ON t (libsql_vector_idx(emb))", "vector index(insert): dimensions are different: 1 != 3");
        run("DELETE FROM t");
        run("CREATE INDEX t_idx ON t (libsql_vector_idx(emb))");
        fails("INSERT INTO t VALUES (vector('[1,2]'))", "vector index(insert): dimensions are different: 2 != 3");
        fails("INSERT INTO t VALUES (vector64('[1,2,3]'))", "vector index(insert): vector type differs from column type: 2 != 1");
        run("INSERT INTO t VALUES (vector('[1,2,3]')), (NULL)");
        fails("UPDATE t SET emb = vector('[1,2,3,4]')", "dimensions are different: 4 != 3");
        // dropping the index drops the check
        run("DROP INDEX t_idx");
        run("INSERT INTO t VALUES (vector('[1,2]'))");
        assertThat(run("SELECT count(*) FROM t")).containsExactly(3);
    }

    @Test
    void createIndexChecksAreLibsqls() throws Exception {
        run("CREATE TABLE t_err (a INTEGER, b BLOB, c FLOAT32(-1), d FLOAT32(0), e FLOAT32(1))");
        run("CREATE TABLE t_err2 (a, b, v FLOAT32(4), PRIMARY KEY (a, b)) WITHOUT ROWID");
        DB sqlite = writer.sqlite().getDatabase();
        record Case(String sql, String error) { }
        for (Case c : List.of(
                new Case("CREATE INDEX i ON t_err (libsql_vector_idx(a))", "vector index: unexpected vector column type: INTEGER"),
                new Case("CREATE INDEX i ON t_err( LIBSQL_VECTOR_IDX(b) )", "vector index: unexpected vector column type: BLOB"),
                new Case("create unique index if not exists main.i on \"t_err\" (libsql_vector_idx(c))",
                        "vector index: non digit symbol in vector column parameter: FLOAT32(-1)"),
                new Case("CREATE INDEX i ON t_err (libsql_vector_idx(d))",
                        "vector index: vector column must have non-zero dimension for index: FLOAT32(0)"),
                new Case("CREATE INDEX i ON t_err (libsql_vector_idx(e, 'a=1'))",
                        "vector index: invalid vector index parameter 'a=1': invalid parameter"),
                new Case("CREATE INDEX i ON t_err (libsql_vector_idx(e, 'metric=l2', 5))",
                        "vector index: all arguments after first must be strings"),
                new Case("CREATE INDEX i ON t_err2 (libsql_vector_idx(v))",
                        "vector index: unsupported for tables without ROWID and composite primary key"),
                new Case("CREATE INDEX i ON t_err (libsql_vector_idx(e), a)",
                        "vector index: must contain exactly one column wrapped into the libsql_vector_idx function"))) {
            assertThatThrownBy(() -> VectorIndexCheck.beforeRunning(sqlite, c.sql())).as(c.sql())
                    .isInstanceOf(SQLException.class).hasMessageContaining(c.error());
        }
        // SQLite's own errors stay SQLite's; valid indexes and other statements pass
        VectorIndexCheck.beforeRunning(sqlite, "CREATE INDEX i ON t_missing (libsql_vector_idx(v))");
        VectorIndexCheck.beforeRunning(sqlite, "CREATE INDEX i ON t_err (libsql_vector_idx(nope))");
        VectorIndexCheck.beforeRunning(sqlite, "CREATE INDEX i ON t_err (libsql_vector_idx(e, 'metric=l2', 'max_neighbors=8'))");
        VectorIndexCheck.beforeRunning(sqlite, "SELECT 'libsql_vector_idx(a)'");
        assertThat(VectorIndexCheck.mentionsMarker(" create index i on t (LIBSQL_Vector_Idx(e))")).isTrue();
        assertThat(VectorIndexCheck.mentionsMarker("SELECT libsql_vector_idx(e)")).isFalse();
        assertThat(VectorIndexCheck.mentionsMarker("libsql_vector_id")).isFalse();
    }

    /** Through the statement runner, as the Hrana executor runs statements. */
    List<List<Object>> runner(String sql) throws Exception {
        StatementRunner r = new StatementRunner(db, StatementListener.NONE);
        StatementOutcome o = r.run(writer, sql, sql, ps -> { }, true, ResultBudget.unlimited());
        return o.rows().stream().map(row -> java.util.Arrays.asList(row)).toList();
    }

    @Test
    void alterColumnRewritesTheDefinitionAsLibsql() throws Exception {
        run("CREATE TABLE t2(x)");
        runner("ALTER TABLE t2 ALTER COLUMN x TO x INTEGER DEFAULT(-1);   ");
        assertThat(run("SELECT sql FROM sqlite_master WHERE name = 't2'")).containsExactly("CREATE TABLE t2(x INTEGER DEFAULT(-1))");
        run("INSERT INTO t2 DEFAULT VALUES");
        assertThat(run("SELECT x FROM t2")).containsExactly(-1);
        run("CREATE TABLE t5(a TEXT, x, \"b c\" REAL, PRIMARY KEY (a))");
        run("CREATE INDEX t5_idx ON t5(x)");
        runner("alter table T5 alter column X to x TEXT -- a comment");
        assertThat(run("SELECT sql FROM sqlite_master WHERE name = 't5'")).containsExactly("CREATE TABLE t5(a TEXT, x TEXT, \"b c\" REAL, PRIMARY KEY (a))");
        runner("ALTER TABLE t5 ALTER COLUMN \"b c\" TO \"b c\" INTEGER NOT NULL DEFAULT 0");
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
        // a vector column made indexable, as libSQL's vector-alter-column case
        run("CREATE TABLE v (emb BLOB)");
        run("INSERT INTO v VALUES ('[1,2,3]'), (vector('[5,6,7]'))");
        runner("ALTER TABLE v ALTER COLUMN emb TO emb FLOAT32(3)");
        run("CREATE INDEX v_idx ON v (libsql_vector_idx(emb))");
        assertThat(run("SELECT id FROM vector_top_k('v_idx', '[5,6,7]', 1)")).containsExactly(2);
        // refused as libSQL refuses, and nothing changes
        for (String[] c : List.of(
                new String[] {"ALTER TABLE t2 ALTER COLUMN x TO x PRIMARY KEY", "error in adding x PRIMARY KEY to t2: PRIMARY KEY constraint cannot be altered"},
                new String[] {"ALTER TABLE t2 ALTER COLUMN x TO x INTEGER UNIQUE", "error in adding x INTEGER UNIQUE to t2: UNIQUE constraint cannot be altered"},
                new String[] {"ALTER TABLE t2 ALTER COLUMN x TO x GENERATED ALWAYS AS (2 * x) VIRTUAL", "GENERATED constraint cannot be altered"},
                new String[] {"ALTER TABLE nope ALTER COLUMN x TO x TEXT", "no such table: nope"},
                new String[] {"ALTER TABLE t2 ALTER COLUMN y TO y TEXT", "no such column: \"y\""},
                new String[] {"ALTER TABLE t2 ALTER COLUMN x TO x INTEGER CHECK (", "error in adding x INTEGER CHECK ( to t2: malformed database schema"})) {
            assertThatThrownBy(() -> runner(c[0])).as(c[0]).isInstanceOf(SQLException.class).hasMessageContaining(c[1]);
        }
        assertThat(run("SELECT sql FROM sqlite_master WHERE name = 't2'")).containsExactly("CREATE TABLE t2(x INTEGER DEFAULT(-1))");
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
        // defensive mode is back: the schema cannot be written by the tenant
        assertThatThrownBy(() -> run("UPDATE sqlite_schema SET sql = sql")).isInstanceOf(SQLException.class);
    }

    /** A seeded vector near cluster {@code c % 16} (16 dimensions), as text. */
    static String clustered(java.util.Random random, int c) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 16; i++) {
            b.append(i > 0 ? "," : "").append((i == c % 16 ? 1.0 : 0.0) + (random.nextDouble() - 0.5) * 0.4);
        }
        return b.append("]").toString();
    }

    List<Object> exactTop(String query, int k, String where) throws SQLException {
        return run("SELECT rowid FROM docs WHERE emb IS NOT NULL" + where
                + " ORDER BY vector_distance_cos(emb, vector(?)), rowid LIMIT " + k, query);
    }

    @Test
    void largeIndexesSearchAQuantizedCopyAndStillSeeTheCallersTransaction() throws Exception {
        // each index entry holds a hash of its row's vector (what tells a search which rows its copy still knows)
        run("CREATE TABLE h (emb F32_BLOB(2))");
        run("CREATE INDEX h_idx ON h (libsql_vector_idx(emb))");
        run("INSERT INTO h VALUES (vector('[1,2]')), (vector('[1,2]')), (vector('[2,1]')), (NULL)");
        assertThat(run("SELECT count(DISTINCT libsql_vector_idx(emb)) FROM h INDEXED BY h_idx")).containsExactly(2);
        assertThat(run("SELECT typeof(libsql_vector_idx(emb)) FROM h ORDER BY rowid")).containsExactly("integer", "integer", "integer", "null");

        run("CREATE TABLE docs (id INTEGER PRIMARY KEY, kind INT, emb F32_BLOB(16))");
        run("CREATE INDEX docs_idx ON docs (libsql_vector_idx(emb, 'metric=cosine'))");
        run("CREATE INDEX docs_odd ON docs (libsql_vector_idx(emb)) WHERE kind = 1");
        java.util.Random random = new java.util.Random(42);
        run("BEGIN");
        for (int i = 0; i < 3000; i++) {
            if (i % 50 == 0) {
                run("INSERT INTO docs (kind, emb) VALUES (?, NULL)", i % 2);
            } else {
                run("INSERT INTO docs (kind, emb) VALUES (?, vector(?))", i % 2, clustered(random, i));
            }
        }
        run("COMMIT");
        String q = clustered(new java.util.Random(7), 3);
        // the first search ranks exactly and builds the copy; later ones use it: same answer on this clustered data
        for (int round = 0; round < 3; round++) {
            assertThat(run("SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q)).isEqualTo(exactTop(q, 10, ""));
            assertThat(run("SELECT id FROM vector_top_k('docs_odd', vector(?), 10)", q)).isEqualTo(exactTop(q, 10, " AND kind = 1"));
        }
        List<Object> before = exactTop(q, 10, "");
        DbConnection reader = db.acquireReader();
        try {
            run("BEGIN");
            // the caller's own uncommitted insert, update and delete are what its search sees
            run("INSERT INTO docs (id, kind, emb) VALUES (100000, 1, vector(?))", q);
            run("UPDATE docs SET emb = vector(?) WHERE id = 7", q);
            run("DELETE FROM docs WHERE id = ?", before.get(0));
            List<Object> inTxn = run("SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q);
            assertThat(inTxn.subList(0, 2)).containsExactly(7, 100000);
            assertThat(inTxn).doesNotContain(before.get(0)).isEqualTo(exactTop(q, 10, ""));
            assertThat(run("SELECT id FROM vector_top_k('docs_odd', vector(?), 1)", q)).containsExactly(100000);
            // another connection sees none of it, through the same copy
            assertThat(rows(db, reader, "SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q))
                    .extracting(r -> r.get(0)).isEqualTo(before);
            run("ROLLBACK");
            assertThat(run("SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q)).isEqualTo(before);
            // a write committed by the writer is seen by the reader's next search
            run("UPDATE docs SET emb = vector(?) WHERE id = 8", q);
            assertThat(rows(db, reader, "SELECT id FROM vector_top_k('docs_idx', vector(?), 1)", q))
                    .extracting(r -> r.get(0)).containsExactly(8);
            // most rows changed at once: ranked exactly and the copy rebuilt
            run("UPDATE docs SET emb = vector(?) WHERE id % 3 = 0 AND emb IS NOT NULL", clustered(random, 5));
            assertThat(run("SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q)).isEqualTo(exactTop(q, 10, ""));
            assertThat(run("SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q)).isEqualTo(exactTop(q, 10, ""));
        } finally {
            db.releaseReader(reader);
        }
        // after a restart the copy is simply rebuilt
        db.releaseWriter(writer);
        db.close();
        db = open("t");
        writer = db.acquireWriter();
        assertThat(run("SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q)).isEqualTo(exactTop(q, 10, ""));
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
    }

    @Test
    void concurrentSearchesShareTheCopyWhileTheWriterChangesRows() throws Exception {
        run("CREATE TABLE docs (id INTEGER PRIMARY KEY, kind INT, emb F32_BLOB(16))");
        run("CREATE INDEX docs_idx ON docs (libsql_vector_idx(emb))");
        java.util.Random random = new java.util.Random(3);
        run("BEGIN");
        for (int i = 0; i < 2000; i++) {
            run("INSERT INTO docs (kind, emb) VALUES (0, vector(?))", clustered(random, i));
        }
        run("COMMIT");
        String q = clustered(new java.util.Random(9), 4);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Integer>> searches = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                searches.add(pool.submit(() -> {
                    DbConnection r = db.acquireReader();
                    try {
                        int n = 0;
                        for (int i = 0; i < 60; i++) {
                            List<Object> ids = rows(db, r, "SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q)
                                    .stream().map(row -> row.get(0)).toList();
                            assertThat(ids).hasSize(10).doesNotHaveDuplicates();
                            // every id is a row this reader sees
                            assertThat(rows(db, r, "SELECT count(*) FROM docs WHERE id IN (" + ids.stream().map(String::valueOf)
                                    .collect(java.util.stream.Collectors.joining(",")) + ")").get(0).get(0)).isEqualTo(10);
                            n++;
                        }
                        return n;
                    } finally {
                        db.releaseReader(r);
                    }
                }));
            }
            java.util.Random w = new java.util.Random(5);
            for (int i = 0; i < 60; i++) {
                run("DELETE FROM docs WHERE id = ?", 1 + w.nextInt(2000));
                run("UPDATE docs SET emb = vector(?) WHERE id = ?", clustered(w, w.nextInt(16)), 1 + w.nextInt(2000));
                run("INSERT INTO docs (kind, emb) VALUES (1, vector(?))", clustered(w, w.nextInt(16)));
            }
            for (java.util.concurrent.Future<Integer> f : searches) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(60);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(run("SELECT id FROM vector_top_k('docs_idx', vector(?), 10)", q)).isEqualTo(exactTop(q, 10, ""));
    }

    @Test
    void hostileRowsAndQueriesOnALargeIndexAreAnswersNotCrashes() throws Exception {
        run("CREATE TABLE big (id INTEGER PRIMARY KEY, emb F32_BLOB(4))");
        run("CREATE INDEX big_idx ON big (libsql_vector_idx(emb))");
        run("CREATE INDEX big_l2 ON big (libsql_vector_idx(emb, 'metric=l2'))");
        run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) "
                + "INSERT INTO big (emb) SELECT vector('[' || (i % 7) || ',' || (i % 11) || ',' || (i % 13) || ',1]') FROM n");
        // NaN, infinity, zero, huge and tiny vectors (as raw float32 blobs)
        run("INSERT INTO big (id, emb) VALUES (5001, x'0000c07f0000c07f0000c07f0000c07f'), (5002, x'0000807f000000000000000000000000'),"
                + " (5003, zeroblob(16)), (5004, x'ffff7f7fffff7f7fffff7f7fffff7f7f'), (5005, x'01000000010000000100000001000000')");
        for (String q : List.of("[1,2,3,1]", "[0,0,0,0]", "[1e38,1e38,1e38,1e38]", "[-1,-1,-1,-1]")) {
            for (String idx : List.of("big_idx", "big_l2")) {
                for (long k : List.of(1L, 10L, 1499L, 5000L, 2147483647L)) {
                    for (int round = 0; round < 2; round++) {
                        List<Object> ids = run("SELECT id FROM vector_top_k(?, vector(?), ?)", idx, q, k);
                        assertThat(ids).as(idx + " " + q + " " + k).hasSize((int) Math.min(k, 1505));
                        assertThat(ids).doesNotHaveDuplicates();
                    }
                }
            }
        }
        // a NaN query through a blob, and a user column named rowid (that table is ranked exactly)
        assertThat(run("SELECT count(*) FROM vector_top_k('big_idx', x'0000c07f0000c07f0000c07f0000c07f', 10)")).containsExactly(10);
        run("CREATE TABLE odd (\"RowId\" INT, emb F32_BLOB(2))");
        run("CREATE INDEX odd_idx ON odd (libsql_vector_idx(emb))");
        run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200) "
                + "INSERT INTO odd SELECT 7, vector('[' || i || ',1]') FROM n");
        assertThat(run("SELECT id FROM vector_top_k('odd_idx', vector('[1,1]'), 2)")).containsExactly(7, 7);
        assertThat(run("SELECT id FROM vector_top_k('odd_idx', vector('[1,1]'), 2)")).containsExactly(7, 7);
        assertThat(run("PRAGMA integrity_check")).containsExactly("ok");
    }

    @Test
    void searchIsBoundByTheStatementDeadline() throws Exception {
        run("CREATE TABLE big (emb F32_BLOB(768))");
        run("CREATE INDEX big_idx ON big (libsql_vector_idx(emb))");
        String v = "[" + "0.5,".repeat(767) + "1]";
        run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                + "INSERT INTO big SELECT vector('" + v + "') FROM n");
        assertThat(run("SELECT count(*) FROM vector_top_k('big_idx', vector('" + v + "'), 10)")).containsExactly(10);
        // a statement that keeps searching is interrupted like any other
        assertThatThrownBy(() -> run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) "
                + "SELECT count(*) FROM n, vector_top_k('big_idx', vector('" + v + "'), 1)"))
                .isInstanceOf(SandboxException.class);
    }
}
