package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frame log: every commit logged in order with growing frame numbers, so that snapshot + frames rebuild exactly
 * the database; it survives a reopen (same log id, numbering continues), compacts, and cuts a torn tail.
 */
class FrameLogTest {
    private static final StatementRunner.Binder<RuntimeException> NO_ARGS = ps -> {
    };

    @TempDir
    Path dir;
    OpenDatabase db;

    OpenDatabase open(long maxLogFrames) throws Exception {
        SqliteEngine.load();
        LimitsProperties l = EngineSandboxTest.limits(Duration.ofSeconds(5));
        StorageSettings settings = new StorageSettings(2, 2000, "FULL", l.engineLimits(),
                l.statementTimeout().toNanos(), l.maxTempBytes().toBytes(), true, true, 50, maxLogFrames);
        return new OpenDatabase("r", dir.resolve("data.db"), settings, 0, (sql, read, written) -> {
        }, new BlockedWaits());
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    void exec(String sql) throws Exception {
        DbConnection w = db.acquireWriter();
        try {
            db.runner().run(w, sql, sql, NO_ARGS, false, ResultBudget.unlimited());
        } finally {
            db.releaseWriter(w);
        }
    }

    @Test
    void freshLogStartsWithTheFileAsSnapshotAtFrameZero() throws Exception {
        db = open(16384);
        FrameLog fl = db.frameLog();
        assertThat(fl.lastCommitFrameNo()).isZero();
        assertThat(fl.startFrameNo()).isEqualTo(1);
        try (FrameLog.SnapshotReader s = fl.openSnapshot()) {
            assertThat(s.baseFrameNo()).isZero();
            assertThat(s.pages()).isGreaterThanOrEqualTo(1);
        }
        assertThat(fl.read(1, 100)).isEmpty();
        assertThatThrownBy(() -> fl.read(0, 100)).isInstanceOf(FrameLog.NeedSnapshotException.class);
    }

    @Test
    void everyCommitIsLoggedInOrderAndRebuildsTheDatabase() throws Exception {
        db = open(16384);
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        long afterDdl = db.frameLog().lastCommitFrameNo();
        assertThat(afterDdl).isGreaterThan(0);
        for (int i = 0; i < 20; i++) {
            exec("INSERT INTO t(v) VALUES (randomblob(3000))");
        }
        concurrentGroupedInserts(200);
        exec("UPDATE t SET v = 'x' WHERE id % 2 = 0");
        exec("DELETE FROM t WHERE id % 3 = 0");
        assertThat(db.frameLog().lastCommitFrameNo()).isGreaterThan(afterDdl);
        assertFrameNumbersConsecutive(db.frameLog());
        assertRebuildMatches(db.frameLog(), "SELECT count(*), sum(length(v)) FROM t");
    }

    @Test
    void survivesReopenWithTheSameIdAndContinuesNumbering() throws Exception {
        db = open(16384);
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        exec("INSERT INTO t(v) VALUES ('a')");
        UUID id = db.frameLog().logId();
        long last = db.frameLog().lastCommitFrameNo();
        db.close();
        db = open(16384);
        assertThat(db.frameLog().logId()).isEqualTo(id);
        assertThat(db.frameLog().lastCommitFrameNo()).isEqualTo(last);
        exec("INSERT INTO t(v) VALUES ('b')");
        assertThat(db.frameLog().lastCommitFrameNo()).isGreaterThan(last);
        assertFrameNumbersConsecutive(db.frameLog());
        assertRebuildMatches(db.frameLog(), "SELECT group_concat(v) FROM t");
    }

    @Test
    void compactsIntoASnapshotAndStaysConsistent() throws Exception {
        db = open(40);
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        for (int i = 0; i < 60; i++) {
            exec("INSERT INTO t(v) VALUES (randomblob(5000))");
        }
        db.awaitLogCompaction(); // compaction writes its snapshot in the background; the next capture switches
        FrameLog fl = db.frameLog();
        assertThat(fl.startFrameNo()).isGreaterThan(1);
        assertThatThrownBy(() -> fl.read(1, 10)).isInstanceOf(FrameLog.NeedSnapshotException.class);
        assertRebuildMatches(fl, "SELECT count(*), sum(length(v)) FROM t");
        UUID id = fl.logId();
        long last = fl.lastCommitFrameNo();
        db.close();
        db = open(40);
        assertThat(db.frameLog().logId()).isEqualTo(id);
        assertThat(db.frameLog().lastCommitFrameNo()).isEqualTo(last);
        assertRebuildMatches(db.frameLog(), "SELECT count(*), sum(length(v)) FROM t");
    }

    /**
     * Compaction writes each page's last image only, then cuts the file to the last commit's size: a shrink (VACUUM)
     * and a regrowth within the compacted frames must give the same image as applying every frame in order.
     */
    @Test
    void compactionAcrossAShrinkAndARegrowthKeepsTheLastImageOfEveryPage() throws Exception {
        db = open(30);
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        for (int i = 0; i < 20; i++) {
            exec("INSERT INTO t(v) VALUES (randomblob(6000))");
        }
        exec("DELETE FROM t WHERE id > 3");
        exec("VACUUM");
        for (int i = 0; i < 4; i++) {
            exec("INSERT INTO t(v) VALUES (randomblob(3000))");
        }
        exec("UPDATE t SET v = 'x' WHERE id = 2");
        db.awaitLogCompaction();
        exec("INSERT INTO t(v) VALUES ('tail')");
        db.awaitLogCompaction();
        FrameLog fl = db.frameLog();
        assertThat(fl.startFrameNo()).isGreaterThan(1);
        assertRebuildMatches(fl, "SELECT count(*), sum(length(v)), group_concat(id) FROM t");
        long pages;
        try (FrameLog.SnapshotReader s = fl.openSnapshot()) {
            pages = s.pages();
        }
        assertThat(pages).as("the snapshot is cut to the database's size").isLessThan(20);
        UUID id = fl.logId();
        db.close();
        db = open(30);
        assertThat(db.frameLog().logId()).isEqualTo(id);
        assertRebuildMatches(db.frameLog(), "SELECT count(*), sum(length(v)), group_concat(id) FROM t");
    }

    @Test
    void aTornTailIsCutBackToTheLastCommit() throws Exception {
        db = open(16384);
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        exec("INSERT INTO t(v) VALUES ('a')");
        long last = db.frameLog().lastCommitFrameNo();
        db.close();
        db = null;
        Path seg = dir.resolve("log").resolve(FrameLog.segmentName(1));
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[FrameLog.RECORD + 100]));
        }
        db = open(16384);
        assertThat(db.frameLog().lastCommitFrameNo()).isEqualTo(last);
        assertThat(Files.size(seg) % FrameLog.RECORD).isZero();
        exec("INSERT INTO t(v) VALUES ('b')");
        assertFrameNumbersConsecutive(db.frameLog());
        assertRebuildMatches(db.frameLog(), "SELECT group_concat(v) FROM t");
    }

    /**
     * A WAL of the same generation that lacks frames the log took from it (what a power loss under synchronous=NORMAL
     * leaves): the frames are written back from the log before SQLite opens the database, so the log keeps its id
     * and its history, and logs the next commits on top.
     */
    @Test
    void aWalThatLostLoggedFramesGetsThemBackFromTheLog() throws Exception {
        db = open(16384);
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        exec("INSERT INTO t(v) VALUES ('a')");
        UUID id = db.frameLog().logId();
        db.close();
        db = null;
        // the salts the log recorded, from the last record's trailer
        Path seg = dir.resolve("log").resolve(FrameLog.segmentName(1));
        ByteBuffer rec = ByteBuffer.allocate(FrameLog.RECORD).order(ByteOrder.LITTLE_ENDIAN);
        long last = 0;
        try (FileChannel ch = FileChannel.open(seg)) {
            for (long pos = 0; pos + FrameLog.RECORD <= ch.size(); pos += FrameLog.RECORD) {
                rec.clear();
                ch.read(rec, pos);
                if (rec.getLong(0) == 0) {
                    break;
                }
                last = pos;
            }
            rec.clear();
            ch.read(rec, last);
        }
        int salt1 = rec.getInt(FrameLog.FRAME);
        int salt2 = rec.getInt(FrameLog.FRAME + 4);
        // a header-only WAL with those salts (SQLite's header checksum, native = little-endian words)
        ByteBuffer h = ByteBuffer.allocate(32);
        h.putInt(0x377f0682).putInt(3007000).putInt(4096).putInt(0).putInt(salt1).putInt(salt2);
        ByteBuffer words = ByteBuffer.wrap(h.array(), 0, 24).order(ByteOrder.LITTLE_ENDIAN);
        int s0 = 0;
        int s1 = 0;
        for (int i = 0; i < 24; i += 8) {
            s0 += words.getInt(i) + s1;
            s1 += words.getInt(i + 4) + s0;
        }
        h.putInt(s0).putInt(s1);
        Files.write(dir.resolve("data.db-wal"), h.array());

        db = open(16384);
        assertThat(db.frameLog().logId()).isEqualTo(id);
        exec("INSERT INTO t(v) VALUES ('b')");
        assertThat(queryLive("SELECT group_concat(v) FROM t")).isEqualTo("a,b|");
        assertFrameNumbersConsecutive(db.frameLog());
        assertRebuildMatches(db.frameLog(), "SELECT group_concat(v) FROM t");
    }

    @Test
    void aBigTransactionSpillingIntoTheWalIsLoggedWhole() throws Exception {
        db = open(100000);
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        DbConnection w = db.acquireWriter();
        try {
            w.trusted("PRAGMA cache_size = 10");
            w.exec("BEGIN");
            w.exec("INSERT INTO t(v) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) SELECT randomblob(2000) FROM n");
            w.exec("ROLLBACK");
            w.exec("BEGIN");
            w.exec("INSERT INTO t(v) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) SELECT randomblob(1000) FROM n");
            w.exec("COMMIT");
            w.trusted("PRAGMA cache_size = -2000");
        } finally {
            db.releaseWriter(w);
        }
        assertFrameNumbersConsecutive(db.frameLog());
        assertRebuildMatches(db.frameLog(), "SELECT count(*), sum(length(v)) FROM t");
    }

    private void concurrentGroupedInserts(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<StatementOutcome>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(pool.submit(() -> db.runner().runGrouped("INSERT INTO t(v) VALUES ('g')", NO_ARGS, false,
                        ResultBudget.unlimited())));
            }
            for (Future<StatementOutcome> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void assertFrameNumbersConsecutive(FrameLog fl) throws Exception {
        long expect = fl.startFrameNo();
        while (expect <= fl.lastCommitFrameNo()) {
            List<byte[]> frames = fl.read(expect, 7);
            assertThat(frames).isNotEmpty();
            for (byte[] f : frames) {
                assertThat(f).hasSize(FrameLog.FRAME);
                assertThat(ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(0)).isEqualTo(expect);
                expect++;
            }
            int size = ByteBuffer.wrap(frames.get(frames.size() - 1)).order(ByteOrder.LITTLE_ENDIAN).getInt(20);
            if (frames.size() < 7) {
                assertThat(size).as("a short batch ends on a commit").isNotZero();
            }
        }
    }

    /** Applies snapshot + frames the way a replica does, then compares a query against the live database. */
    void assertRebuildMatches(FrameLog fl, String query) throws Exception {
        Path copy = dir.resolve("rebuilt-" + UUID.randomUUID() + ".db");
        try (FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             FrameLog.SnapshotReader s = fl.openSnapshot()) {
            ByteBuffer page = ByteBuffer.allocate(FrameLog.PAGE);
            for (int p = 1; p <= s.pages(); p++) {
                page.clear();
                s.readPage(p, page);
                page.flip();
                out.write(page, (long) (p - 1) * FrameLog.PAGE);
            }
            long next = s.baseFrameNo() + 1;
            while (next <= fl.lastCommitFrameNo()) {
                for (byte[] f : fl.read(next, 100)) {
                    ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
                    int pageNo = b.getInt(16);
                    int size = b.getInt(20);
                    out.write(ByteBuffer.wrap(f, 24, FrameLog.PAGE), (long) (pageNo - 1) * FrameLog.PAGE);
                    if (size != 0) {
                        out.truncate((long) size * FrameLog.PAGE);
                    }
                    next++;
                }
            }
        }
        // the copy's header says WAL mode; it has no WAL, so it opens as the image itself
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy);
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            String expected = queryLive(query);
            try (ResultSet rs = st.executeQuery(query)) {
                rs.next();
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    sb.append(rs.getString(i)).append('|');
                }
                assertThat(sb.toString()).isEqualTo(expected);
            }
        }
    }

    private String queryLive(String query) throws Exception {
        DbConnection r = db.acquireReader();
        try (Statement st = r.jdbc().createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                sb.append(rs.getString(i)).append('|');
            }
            return sb.toString();
        } finally {
            db.releaseReader(r);
        }
    }
}
