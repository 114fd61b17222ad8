package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.usage.UsageTracker;
import java.nio.file.Files;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * The sandbox as the ENGINE enforces it: statements go straight to a hardened connection, with no SQL guard
 * in front, written the ways a lexer could miss (EXPLAIN, pragma_* functions, triggers, views, quoting).
 */
class EngineSandboxTest {
    @TempDir
    Path dir;
    OpenDatabase db;
    DbConnection writer;

    static LimitsProperties limits(Duration timeout) {
        return new LimitsProperties(timeout, DataSize.ofMegabytes(32), Duration.ofSeconds(10), DataSize.ofMegabytes(32),
                10000, 128, Duration.ofSeconds(120), DataSize.ofMegabytes(16), DataSize.ofMegabytes(1), 2000, 250, 250, 32766, 100,
                DataSize.ofGigabytes(1));
    }

    @BeforeEach
    void open() throws Exception {
        SqliteEngine.load();
        LimitsProperties l = limits(Duration.ofSeconds(1));
        StorageSettings settings = new StorageSettings(2, 2000, "FULL", l.engineLimits(),
                l.statementTimeout().toNanos(), l.maxTempBytes().toBytes(), true);
        // a 1 MB database: its temporary files get the same 1 MB
        db = new OpenDatabase("t", dir.resolve("data.db"), settings, 1024 * 1024,
                new UsageTracker(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).forDatabase("t"),
                new BlockedWaits());
        writer = db.acquireWriter();
    }

    @AfterEach
    void close() {
        db.releaseWriter(writer);
        db.close();
    }

    /** Runs one tenant statement the way the executor does; returns the first column of every row. */
    List<Object> run(DbConnection c, String sql, Object... args) throws SQLException {
        c.beginStatement(db.tempLimitBytes());
        SQLException failure = null;
        try (PreparedStatement ps = c.jdbc().prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Object> out = new ArrayList<>();
            if (ps.execute()) {
                try (ResultSet rs = ps.getResultSet()) {
                    while (rs.next()) {
                        out.add(rs.getObject(1));
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

    void refused(String sql, String messagePart, Object... args) {
        assertThatThrownBy(() -> run(writer, sql, args))
                .as(sql)
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining(messagePart)
                .extracting(e -> ((SandboxException) e).reason()).isEqualTo(SandboxException.Reason.DENIED);
    }

    @Test
    void engineIsOurs() throws Exception {
        assertThat(run(writer, "SELECT sqlite_version()")).containsExactly("3.54.1");
    }

    @Test
    void pointerFunctionsAreRefusedInEveryForm() throws Exception {
        // the crash of the issue: a blob turned into a tokenizer pointer, then used
        refused("SELECT fts3_tokenizer('t2', ?)", "fts3_tokenizer", (Object) new byte[8]);
        refused("SELECT hex(fts3_tokenizer(?))", "fts3_tokenizer", "simple");
        refused("SELECT \"FTS3_TOKENIZER\"('simple')", "fts3_tokenizer");
        refused("SELECT load_extension('/tmp/x.so')", "load_extension");
        // inside a view, evaluated later
        // inside a view: defining it is harmless, reading it is refused
        run(writer, "CREATE VIEW v AS SELECT fts3_tokenizer('simple') AS p");
        // (trusted_schema=OFF refuses it before the authorizer is asked: either layer is fine)
        assertThatThrownBy(() -> run(writer, "SELECT p FROM v")).hasMessageContaining("fts3_tokenizer");
        // inside a trigger: refused when a statement that fires it is prepared
        run(writer, "CREATE TABLE t(a)");
        run(writer, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT fts3_tokenizer('simple'); END");
        refused("INSERT INTO t VALUES (1)", "fts3_tokenizer");
        assertThat(run(writer, "SELECT count(*) FROM t")).containsExactly(0);
    }

    @Test
    void pragmasOutsideThePolicyAreRefusedWhereverTheyAppear() throws Exception {
        refused("EXPLAIN PRAGMA writable_schema=ON", "writable_schema");
        refused("EXPLAIN QUERY PLAN PRAGMA cache_size=1", "cache_size");
        refused("PRAGMA main.mmap_size=1000000", "mmap_size");
        refused("PRAGMA temp_store_directory='/tmp'", "temp_store_directory");
        refused("pragma \"journal_mode\" = off", "journal_mode");
        refused("SELECT * FROM pragma_cache_size", "cache_size");
        refused("SELECT * FROM pragma_journal_mode()", "journal_mode");
        refused("PRAGMA page_size=1024", "setting PRAGMA page_size");
        refused("PRAGMA schema_version=99", "setting PRAGMA schema_version");
        run(writer, "CREATE TABLE s(a)");
        run(writer, "CREATE VIEW pv AS SELECT * FROM pragma_synchronous");
        assertThatThrownBy(() -> run(writer, "SELECT * FROM pv")).hasMessageContaining("synchronous");
        // what the policy allows still works, in every form
        assertThat(run(writer, "SELECT name FROM pragma_table_info('s')")).containsExactly("a");
        assertThat(run(writer, "PRAGMA table_info(s)")).containsExactly(0);
        assertThat(run(writer, "PRAGMA page_size")).containsExactly(4096);
        run(writer, "PRAGMA user_version = 7");
        assertThat(run(writer, "PRAGMA user_version")).containsExactly(7);
        run(writer, "PRAGMA foreign_keys = ON");
    }

    @Test
    void noOtherFileIsReachable() throws Exception {
        Path other = dir.resolve("other.db");
        refused("ATTACH '" + other + "' AS o", "ATTACH");
        refused("ATTACH ? AS o", "ATTACH", other.toString());
        refused("VACUUM INTO '" + dir.resolve("copy.db") + "'", "ATTACH");
        refused("DETACH temp", "DETACH");
        assertThat(Files.exists(other)).isFalse();
        assertThat(Files.exists(dir.resolve("copy.db"))).isFalse();
        // plain VACUUM (its own anonymous temporary copy) still works
        run(writer, "CREATE TABLE v(a)");
        run(writer, "VACUUM");
    }

    @Test
    void defensiveModeProtectsTheSchemaAndShadowTables() throws Exception {
        run(writer, "CREATE VIRTUAL TABLE f USING fts5(body)");
        run(writer, "INSERT INTO f VALUES ('hello world')");
        assertThatThrownBy(() -> run(writer, "UPDATE f_data SET block = x'00' ")).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> run(writer, "DELETE FROM sqlite_schema")).isInstanceOf(SQLException.class);
        refused("CREATE VIRTUAL TABLE d USING dbstat", "dbstat");
        assertThat(run(writer, "SELECT count(*) FROM f WHERE f MATCH 'hello'")).containsExactly(1);
    }

    @Test
    void sizesAreBounded() {
        assertThatThrownBy(() -> run(writer, "SELECT length(randomblob(600000000))"))
                .hasMessageContaining("too big");
        assertThatThrownBy(() -> run(writer, "SELECT zeroblob(2000000000)")).hasMessageContaining("too big");
        assertThatThrownBy(() -> run(writer, "SELECT length(printf('%.*c', 2000000000, 'x'))"))
                .hasMessageContaining("too big");
        String deep = "(".repeat(5000) + "1" + ")".repeat(5000);
        assertThatThrownBy(() -> run(writer, "SELECT " + deep)).isInstanceOf(SQLException.class);
        String compound = "SELECT 1" + " UNION ALL SELECT 1".repeat(400);
        assertThatThrownBy(() -> run(writer, compound)).hasMessageContaining("too many terms");
    }

    @Test
    @Timeout(60) // a hang guard, not a timing assertion
    void endlessStatementsAreInterruptedAtTheDeadline() throws Exception {
        assertThatThrownBy(() -> run(writer,
                "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"))
                .isInstanceOf(SandboxException.class)
                .extracting(e -> ((SandboxException) e).reason()).isEqualTo(SandboxException.Reason.TIMED_OUT);
        // the connection is fine afterwards
        assertThat(run(writer, "SELECT 1")).containsExactly(1);
    }

    @Test
    void cancelInterruptsARunningStatementFromAnotherThread() throws Exception {
        DbConnection reader = db.acquireReader();
        try {
            Thread canceller = new Thread(() -> {
                org.awaitility.Awaitility.await().until(() -> reader.tempBytes() >= 0 && isRunning(reader));
                reader.cancel("the client went away");
            });
            canceller.start();
            assertThatThrownBy(() -> run(reader,
                    "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"))
                    .isInstanceOf(SandboxException.class)
                    .hasMessageContaining("the client went away");
            canceller.join();
        } finally {
            db.releaseReader(reader);
        }
    }

    private static boolean isRunning(DbConnection c) {
        try {
            var f = DbConnection.class.getDeclaredField("inStatement");
            f.setAccessible(true);
            return f.getBoolean(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void temporaryFilesCountAgainstTheDatabaseLimit() throws Exception {
        // the issue: a 1 MB database built a 200 MB TEMP table
        run(writer, "CREATE TEMP TABLE big(b)");
        assertThatThrownBy(() -> run(writer,
                "INSERT INTO big WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c WHERE x < 5000)"
                        + " SELECT randomblob(4000) FROM c"))
                .isInstanceOf(SandboxException.class)
                .extracting(e -> ((SandboxException) e).reason()).isEqualTo(SandboxException.Reason.TEMP_FULL);
        assertThat(writer.tempBytes()).isLessThanOrEqualTo(1024 * 1024);
        // sort spills are temporary files too
        assertThatThrownBy(() -> run(writer,
                "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c WHERE x < 20000)"
                        + " SELECT randomblob(2000) AS b FROM c ORDER BY b"))
                .isInstanceOf(SandboxException.class)
                .extracting(e -> ((SandboxException) e).reason()).isEqualTo(SandboxException.Reason.TEMP_FULL);
        run(writer, "DROP TABLE big");
        assertThat(run(writer, "SELECT 1")).containsExactly(1);
    }
}
