package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions pushed by offline replicas ({@link OpenDatabase#applyPushed}): real WAL frames written by a replica's
 * SQLite are applied atomically, logged as exactly as many frames, and give the replica's data; hostile ones (bad
 * sizes, page numbers, headers, corrupt b-trees, growth past the quota, a stale base) are refused with nothing
 * written; tenants cannot reach sqlite_dbpage.
 */
class PushedPagesTest {
    private static final StatementRunner.Binder<RuntimeException> NO_ARGS = ps -> {
    };
    private static final int PAGE = OpenDatabase.PAGE_SIZE;

    @TempDir
    Path dir;
    OpenDatabase db;
    Connection replica;

    @BeforeEach
    void open() throws Exception {
        SqliteEngine.load();
        LimitsProperties l = EngineSandboxTest.limits(Duration.ofSeconds(5));
        StorageSettings settings = new StorageSettings(2, 2000, "FULL", l.engineLimits(),
                l.statementTimeout().toNanos(), l.maxTempBytes().toBytes(), true, true, 50, 16384);
        Files.createDirectories(dir.resolve("primary"));
        db = new OpenDatabase("p", dir.resolve("primary/data.db"), settings, 0, (sql, read, written) -> {
        }, new BlockedWaits());
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        exec("INSERT INTO t(v) VALUES ('one'), ('two')");
    }

    @AfterEach
    void close() throws Exception {
        if (replica != null) {
            replica.close();
        }
        db.close();
    }

    void exec(String sql) throws Exception {
        DbConnection w = db.acquireWriter();
        try {
            db.runner().run(w, sql, sql, NO_ARGS, false, ResultBudget.unlimited());
        } finally {
            db.releaseWriter(w);
        }
    }

    /** A query on the writer connection (where the pages were applied). */
    List<String> onWriter(String sql) throws Exception {
        DbConnection w = db.acquireWriter();
        try {
            try (Statement s = w.jdbc().createStatement(); ResultSet rs = s.executeQuery(sql)) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        } finally {
            db.releaseWriter(w);
        }
    }

    List<String> primary(String sql) throws Exception {
        DbConnection r = db.acquireReader();
        try (Statement s = r.jdbc().createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } finally {
            db.releaseReader(r);
        }
    }

    /** A replica: the primary's current image in its own file, opened by plain SQLite, WAL kept (no checkpoints). */
    Connection startReplica() throws Exception {
        Path file = dir.resolve("replica.db");
        DbConnection w = db.acquireWriter();
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            w.trustedWork(jdbc -> {
                try (Statement s = jdbc.createStatement();
                     ResultSet rs = s.executeQuery("SELECT pgno, data FROM sqlite_dbpage")) {
                    while (rs.next()) {
                        try {
                            ch.write(ByteBuffer.wrap(rs.getBytes(2)), (rs.getLong(1) - 1) * PAGE);
                        } catch (java.io.IOException e) {
                            throw new SQLException(e);
                        }
                    }
                }
                return null;
            });
        } finally {
            db.releaseWriter(w);
        }
        replica = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = replica.createStatement()) {
            s.execute("PRAGMA wal_autocheckpoint = 0");
        }
        return replica;
    }

    /** The commits in the replica's WAL, from its first frame on. */
    List<PushedCommit> replicaCommits() throws Exception {
        byte[] wal = Files.readAllBytes(dir.resolve("replica.db-wal"));
        List<PushedCommit> commits = new ArrayList<>();
        List<PushedCommit.Page> pages = new ArrayList<>();
        for (int at = 32; at + 24 + PAGE <= wal.length; at += 24 + PAGE) {
            ByteBuffer h = ByteBuffer.wrap(wal, at, 8);
            int pageNo = h.getInt();
            int size = h.getInt();
            pages.add(new PushedCommit.Page(pageNo, Arrays.copyOfRange(wal, at + 24, at + 24 + PAGE)));
            if (size != 0) {
                commits.add(new PushedCommit(List.copyOf(pages), size));
                pages.clear();
            }
        }
        return commits;
    }

    void replicaExec(String sql) throws Exception {
        try (Statement s = replica.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void aReplicasTransactionsApplyAsTheSameFramesAndData() throws Exception {
        startReplica();
        replicaExec("INSERT INTO t(v) VALUES ('offline')");
        replicaExec("CREATE TABLE big(k INTEGER PRIMARY KEY, b BLOB)");
        replicaExec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300)"
                + " INSERT INTO big SELECT x, randomblob(3000) FROM c");
        replicaExec("DELETE FROM big WHERE k % 2 = 0");
        List<PushedCommit> commits = replicaCommits();
        assertThat(commits).hasSize(4);
        long frame = db.frameLog().lastCommitFrameNo();
        for (PushedCommit c : commits) {
            long next = db.applyPushed(frame, c);
            assertThat(next - frame).isEqualTo(c.pages().size());
            List<byte[]> logged = db.frameLog().read(frame + 1, c.pages().size());
            for (int i = 0; i < logged.size(); i++) {
                byte[] f = logged.get(i);
                assertThat(ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(16))
                        .isEqualTo(c.pages().get(i).pageNo());
            }
            frame = next;
        }
        assertThat(primary("SELECT group_concat(v) FROM t")).containsExactly("one,two,offline");
        assertThat(primary("SELECT count(*) || ':' || sum(length(b)) FROM big")).containsExactly("150:450000");
        assertThat(primary("PRAGMA integrity_check")).containsExactly("ok");
        assertThat(onWriter("PRAGMA integrity_check")).containsExactly("ok");
        assertThat(onWriter("SELECT count(*) FROM big")).containsExactly("150");
        // the writer goes on from the pushed state (its cached pages were dropped): a normal write keeps it whole
        exec("INSERT INTO big SELECT k + 1000, b FROM big");
        exec("UPDATE t SET v = 'after' WHERE v = 'offline'");
        assertThat(primary("SELECT count(*) FROM big")).containsExactly("300");
        assertThat(primary("SELECT group_concat(v) FROM t")).containsExactly("one,two,after");
        assertThat(primary("PRAGMA integrity_check")).containsExactly("ok");
    }

    @Test
    void aShrinkingTransactionTruncatesTheDatabase() throws Exception {
        exec("CREATE TABLE big(k INTEGER PRIMARY KEY, b BLOB)");
        exec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100)"
                + " INSERT INTO big SELECT x, randomblob(3000) FROM c");
        exec("DROP TABLE big");
        long before = Long.parseLong(primary("PRAGMA page_count").get(0));
        startReplica();
        replicaExec("VACUUM");
        List<PushedCommit> commits = replicaCommits();
        long frame = db.frameLog().lastCommitFrameNo();
        for (PushedCommit c : commits) {
            frame = db.applyPushed(frame, c);
        }
        assertThat(Long.parseLong(primary("PRAGMA page_count").get(0))).isLessThan(before);
        assertThat(primary("PRAGMA integrity_check")).containsExactly("ok");
        assertThat(primary("SELECT group_concat(v) FROM t")).containsExactly("one,two");
    }

    @Test
    void aPushOnAStaleBaseIsAConflictAndWritesNothing() throws Exception {
        startReplica();
        long base = db.frameLog().lastCommitFrameNo();
        replicaExec("INSERT INTO t(v) VALUES ('loser')");
        exec("INSERT INTO t(v) VALUES ('primary')");
        long now = db.frameLog().lastCommitFrameNo();
        PushedCommit c = replicaCommits().get(0);
        assertThatThrownBy(() -> db.applyPushed(base, c)).isInstanceOf(PushConflictException.class)
                .satisfies(e -> assertThat(((PushConflictException) e).lastCommitFrameNo()).isEqualTo(now));
        assertThat(primary("SELECT group_concat(v) FROM t")).containsExactly("one,two,primary");
        assertThat(db.frameLog().lastCommitFrameNo()).isEqualTo(now);
    }

    private void refused(PushedCommit c, PushRejectedException.Reason reason, String messagePart) throws Exception {
        long frame = db.frameLog().lastCommitFrameNo();
        List<String> data = primary("SELECT group_concat(v) FROM t");
        assertThatThrownBy(() -> db.applyPushed(frame, c)).isInstanceOf(PushRejectedException.class)
                .hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((PushRejectedException) e).reason()).isEqualTo(reason));
        assertThat(db.frameLog().lastCommitFrameNo()).isEqualTo(frame);
        assertThat(primary("SELECT group_concat(v) FROM t")).isEqualTo(data);
        assertThat(primary("PRAGMA integrity_check")).containsExactly("ok");
        exec("INSERT INTO t(v) VALUES ('still-writable')");
        exec("DELETE FROM t WHERE v = 'still-writable'");
    }

    private static PushedCommit.Page page(int no, byte[] data) {
        return new PushedCommit.Page(no, data);
    }

    @Test
    void malformedTransactionsAreRefusedBeforeAnythingIsWritten() throws Exception {
        int pages = Integer.parseInt(primary("PRAGMA page_count").get(0));
        byte[] zeros = new byte[PAGE];
        refused(new PushedCommit(List.of(), pages), PushRejectedException.Reason.MALFORMED, "without pages");
        refused(new PushedCommit(List.of(page(0, zeros)), pages), PushRejectedException.Reason.MALFORMED, "outside");
        refused(new PushedCommit(List.of(page(pages + 1, zeros)), pages), PushRejectedException.Reason.MALFORMED,
                "outside");
        refused(new PushedCommit(List.of(page(2, new byte[100])), pages), PushRejectedException.Reason.MALFORMED,
                "100 bytes");
        refused(new PushedCommit(List.of(page(2, zeros), page(2, zeros)), pages),
                PushRejectedException.Reason.MALFORMED, "twice");
        refused(new PushedCommit(List.of(page(pages + 1, zeros)), pages + 1), PushRejectedException.Reason.MALFORMED,
                "without page 1");
        byte[] grown = page1();
        ByteBuffer.wrap(grown).putInt(28, pages + 2);
        refused(new PushedCommit(List.of(page(1, grown), page(pages + 2, zeros)), pages + 2),
                PushRejectedException.Reason.MALFORMED, "page " + (pages + 1) + " is not in the transaction");
        byte[] lying = page1();
        ByteBuffer.wrap(lying).putInt(28, pages + 1);
        refused(new PushedCommit(List.of(page(1, lying)), pages), PushRejectedException.Reason.MALFORMED,
                "page 1 gives a database size of " + (pages + 1));
        refused(new PushedCommit(List.of(page(-5, zeros)), 2_000_000_000), PushRejectedException.Reason.MALFORMED,
                "grows");
        refused(new PushedCommit(List.of(page(2, zeros)), 1), PushRejectedException.Reason.MALFORMED, "outside");
        exec("CREATE TABLE u(x)");
        pages++;
        refused(new PushedCommit(List.of(page(2, zeros)), pages - 1), PushRejectedException.Reason.MALFORMED,
                "shrinks");
        refused(new PushedCommit(List.of(page(1, zeros)), pages), PushRejectedException.Reason.MALFORMED,
                "not an SQLite database header");
        byte[] header = page1();
        header[16] = 0x20; // 8192
        header[17] = 0;
        refused(new PushedCommit(List.of(page(1, header)), pages), PushRejectedException.Reason.MALFORMED,
                "page size");
        header = page1();
        header[18] = 1;
        header[19] = 1;
        refused(new PushedCommit(List.of(page(1, header)), pages), PushRejectedException.Reason.MALFORMED, "WAL");
    }

    private byte[] page1() throws Exception {
        DbConnection w = db.acquireWriter();
        try {
            return w.trustedWork(jdbc -> {
                try (Statement s = jdbc.createStatement();
                     ResultSet rs = s.executeQuery("SELECT data FROM sqlite_dbpage WHERE pgno = 1")) {
                    rs.next();
                    return rs.getBytes(1);
                }
            });
        } finally {
            db.releaseWriter(w);
        }
    }

    @Test
    void garbagePagesThatWouldCorruptTheDatabaseAreRefused() throws Exception {
        int pages = Integer.parseInt(primary("PRAGMA page_count").get(0));
        byte[] garbage = new byte[PAGE];
        new Random(7).nextBytes(garbage);
        refused(new PushedCommit(List.of(page(2, garbage)), pages), PushRejectedException.Reason.CORRUPT,
                "integrity_check");
        // a page of the schema table with a b-tree page type but nonsense cells
        byte[] schema = page1();
        schema[100] = 0x0d;
        schema[103] = 0x7f;
        refused(new PushedCommit(List.of(page(1, schema)), pages), PushRejectedException.Reason.CORRUPT,
                "integrity_check");
        // a page appended but never referenced (nor free): integrity_check finds it unused
        byte[] grown = page1();
        ByteBuffer.wrap(grown).putInt(28, pages + 1);
        refused(new PushedCommit(List.of(page(1, grown), page(pages + 1, new byte[PAGE])), pages + 1),
                PushRejectedException.Reason.CORRUPT, "integrity_check");
    }

    @Test
    void aPushPastTheStorageLimitIsRefused() throws Exception {
        startReplica();
        replicaExec("CREATE TABLE big(b BLOB)");
        replicaExec("INSERT INTO big VALUES (randomblob(400000))");
        PushedCommit first = replicaCommits().get(0);
        PushedCommit grow = replicaCommits().get(1);
        long frame = db.applyPushed(db.frameLog().lastCommitFrameNo(), first);
        int pages = Integer.parseInt(primary("PRAGMA page_count").get(0));
        db.setMaxBytes((long) (pages + 10) * PAGE);
        assertThatThrownBy(() -> db.applyPushed(frame, grow)).isInstanceOf(PushRejectedException.class)
                .satisfies(e -> assertThat(((PushRejectedException) e).reason())
                        .isEqualTo(PushRejectedException.Reason.STORAGE_FULL));
        assertThat(db.frameLog().lastCommitFrameNo()).isEqualTo(frame);
        assertThat(primary("SELECT count(*) FROM big")).containsExactly("0");
    }

    @Test
    void tenantsCannotReachRawPages() throws Exception {
        for (String sql : List.of("SELECT * FROM sqlite_dbpage", "SELECT count(*) FROM sqlite_dbpage",
                "SELECT data FROM sqlite_dbpage('main') WHERE pgno = 1",
                "INSERT INTO sqlite_dbpage(pgno, data) VALUES (2, zeroblob(4096))",
                "UPDATE sqlite_dbpage SET data = zeroblob(4096) WHERE pgno = 2",
                "CREATE VIRTUAL TABLE raw USING sqlite_dbpage")) {
            assertThatThrownBy(() -> exec(sql)).as(sql).isInstanceOf(SQLException.class);
        }
        exec("CREATE VIEW pages AS SELECT pgno FROM sqlite_dbpage");
        assertThatThrownBy(() -> exec("SELECT * FROM pages")).isInstanceOf(SQLException.class)
                .hasMessageContaining("sqlite_dbpage");
        exec("CREATE TABLE audit(x)");
        exec("CREATE TRIGGER tr AFTER INSERT ON audit BEGIN"
                + " INSERT INTO sqlite_dbpage(pgno, data) VALUES (2, zeroblob(4096)); END");
        assertThatThrownBy(() -> exec("INSERT INTO audit VALUES (1)")).isInstanceOf(SQLException.class);
        assertThat(primary("PRAGMA integrity_check")).containsExactly("ok");
        assertThat(primary("SELECT group_concat(v) FROM t")).containsExactly("one,two");
    }
}
