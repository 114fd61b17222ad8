package dev.libsqlplatform.dataplane.storage;

import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.NO_ARGS;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.WAL_FRAME;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.WAL_HEADER;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.crashCopy;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.exec;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Power loss with the WAL at {@code synchronous=NORMAL}: the frame log's fsync is the only flush of a commit, so the
 * WAL may lose acknowledged commits, which the log must put back at open. A "power loss" here is a copy of the files
 * of a database that is still open (nothing flushed or checkpointed at close), with the WAL then damaged the way
 * unflushed pages are lost: cut back, zeroed from some frame on, or gone. After reopening the copy, every
 * acknowledged row must be there, {@code integrity_check} ok, and the log (same id) continues.
 */
class FrameLogRecoveryTest {

    @TempDir
    Path tmp;
    private final List<OpenDatabase> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(OpenDatabase::close);
    }

    private OpenDatabase open(Path dir, int checkpointFrames, long maxLogFrames) throws Exception {
        OpenDatabase db = LoggedDatabases.open("r", dir, checkpointFrames, maxLogFrames);
        open.add(db);
        return db;
    }

    /** Acknowledged writes: single inserts, grouped concurrent inserts, a multi-page row, an update. */
    private static int writeAcknowledged(OpenDatabase db, int rows) throws Exception {
        exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        for (int i = 0; i < rows; i++) {
            exec(db, "INSERT INTO t(v) VALUES (printf('%0500d', " + i + "))");
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<StatementOutcome>> all = new ArrayList<>();
            for (int i = 0; i < rows; i++) {
                all.add(pool.submit(() -> db.runner().runGrouped("INSERT INTO t(v) VALUES ('grouped')", NO_ARGS, false,
                        ResultBudget.unlimited())));
            }
            for (Future<StatementOutcome> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        exec(db, "INSERT INTO t(v) VALUES (hex(randomblob(20000)))");
        exec(db, "UPDATE t SET v = 'u' WHERE id = 1");
        return 2 * rows + 1;
    }

    private static void cutWal(Path dir, long frames) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("data.db-wal"), StandardOpenOption.WRITE)) {
            ch.truncate(WAL_HEADER + frames * WAL_FRAME);
        }
    }

    private static void zeroWalFrom(Path dir, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("data.db-wal"), StandardOpenOption.WRITE)) {
            long size = ch.size();
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            for (long pos = offset; pos < size; pos += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - pos));
                ch.write(zeros, pos);
            }
        }
    }

    private static long walFrames(Path dir) throws IOException {
        return (Files.size(dir.resolve("data.db-wal")) - WAL_HEADER) / WAL_FRAME;
    }

    /** Reopens the damaged copy and checks that nothing acknowledged is missing and the log goes on. */
    private void assertRecovered(Path copy, OpenDatabase original, int rows) throws Exception {
        UUID id = original.frameLog().logId();
        long last = original.frameLog().lastCommitFrameNo();
        String expected = query(original, "SELECT count(*) || ':' || sum(length(v)) FROM t");
        OpenDatabase re = open(copy, 1_000_000, 1_000_000);
        assertThat(query(re, "PRAGMA integrity_check")).isEqualTo("ok");
        assertThat(query(re, "SELECT count(*) FROM t")).isEqualTo(String.valueOf(rows));
        assertThat(query(re, "SELECT count(*) || ':' || sum(length(v)) FROM t")).isEqualTo(expected);
        assertThat(query(re, "SELECT v FROM t WHERE id = 1")).isEqualTo("u");
        assertThat(re.frameLog().logId()).as("history kept: same log id").isEqualTo(id);
        assertThat(re.frameLog().lastCommitFrameNo()).isEqualTo(last);
        exec(re, "INSERT INTO t(v) VALUES ('after')");
        assertThat(re.frameLog().lastCommitFrameNo()).isGreaterThan(last);
        FrameLogTest.assertFrameNumbersConsecutive(re.frameLog());
    }

    @Test
    void aWalCutBackToItsHeaderGetsEveryLoggedFrameBack() throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live, 1_000_000, 1_000_000);
        int rows = writeAcknowledged(db, 60);
        Path copy = crashCopy(tmp, live, "cut");
        assertThat(walFrames(copy)).isGreaterThan(10);
        cutWal(copy, 0);
        assertRecovered(copy, db, rows);
    }

    @Test
    void aWalZeroedFromTheMiddleOfAFrameOnGetsTheRestBack() throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live, 1_000_000, 1_000_000);
        int rows = writeAcknowledged(db, 60);
        Path copy = crashCopy(tmp, live, "zeroed");
        long frames = walFrames(copy);
        zeroWalFrom(copy, WAL_HEADER + (frames / 3) * WAL_FRAME + 1000);
        assertRecovered(copy, db, rows);
    }

    /** Checkpoints and new WAL generations during the burst: only the last generation's lost tail matters. */
    @Test
    void lostFramesAfterCheckpointsAndWalRestartsComeBack() throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live, 20, 1_000_000);
        int rows = writeAcknowledged(db, 80);
        Path copy = crashCopy(tmp, live, "restarted");
        cutWal(copy, 1);
        assertRecovered(copy, db, rows);
    }

    /** The WAL gone without a clean close (deleted by hand): the database file is rebuilt from snapshot + frames. */
    @Test
    void aDeletedWalIsRebuiltFromTheLog() throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live, 1_000_000, 1_000_000);
        int rows = writeAcknowledged(db, 40);
        Path copy = crashCopy(tmp, live, "deleted");
        Files.delete(copy.resolve("data.db-wal"));
        Files.deleteIfExists(copy.resolve("data.db-shm"));
        assertRecovered(copy, db, rows);
    }

    /** After compaction the frames before the snapshot are only in the snapshot: a WAL lost below it means a rebuild. */
    @Test
    void aWalLostBelowACompactedSnapshotIsRebuiltFromTheLog() throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live, 1_000_000, 30);
        int rows = writeAcknowledged(db, 60);
        db.awaitLogCompaction();
        assertThat(db.frameLog().startFrameNo()).isGreaterThan(1);
        Path copy = crashCopy(tmp, live, "compacted");
        cutWal(copy, 0);
        assertRecovered(copy, db, rows);
    }

    /**
     * Compaction puts its result into effect in two durable renames: the new frames file (the records after the new
     * snapshot), then the new snapshot. A crash between them leaves the old snapshot, its frames file and a frames file
     * starting after it (plus the temp files): the open drops the later one and keeps the history (same log id), also
     * when the WAL lost its unflushed frames.
     */
    @Test
    void aCompactionCutBetweenItsRenamesKeepsTheOldSnapshotAndEveryCommit() throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live, 1_000_000, 1_000_000);
        int rows = writeAcknowledged(db, 30);
        long last = db.frameLog().lastCommitFrameNo();
        Path copy = crashCopy(tmp, live, "cut-compaction");
        Path log = copy.resolve("log");
        // what the interrupted finish left: its frames file (records of the last 5 frames), temp files
        try (FileChannel from = FileChannel.open(log.resolve(FrameLog.segmentName(1)), StandardOpenOption.READ);
             FileChannel to = FileChannel.open(log.resolve(FrameLog.segmentName(last - 4)), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            from.transferTo((last - 5) * FrameLog.RECORD, 5L * FrameLog.RECORD, to);
        }
        Files.copy(copy.resolve("data.db"), log.resolve("snapshot.tmp"));
        Files.write(log.resolve("frames.tmp"), new byte[100]);
        cutWal(copy, 0);
        assertRecovered(copy, db, rows);
        assertThat(log.resolve(FrameLog.segmentName(last - 4))).doesNotExist();
        assertThat(log.resolve("snapshot.tmp")).doesNotExist();
    }

    /**
     * A clean close checkpoints and removes the WAL's content: the next open must take that as no loss (the
     * {@code closed} file), not rebuild the database file.
     */
    @Test
    void aCleanCloseReopensWithoutRebuilding() throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live, 1_000_000, 1_000_000);
        writeAcknowledged(db, 10);
        db.close();
        open.remove(db);
        Object inode = Files.getAttribute(live.resolve("data.db"), "unix:ino");
        OpenDatabase re = open(live, 1_000_000, 1_000_000);
        assertThat(Files.getAttribute(live.resolve("data.db"), "unix:ino")).isEqualTo(inode);
        assertThat(query(re, "SELECT count(*) FROM t")).isEqualTo("21");
    }

    /**
     * A power loss during a log append: the log's tail is a torn record (the commit it belonged to was never
     * acknowledged) and the WAL lost its unflushed frames. Everything acknowledged before the torn commit comes back.
     */
    @Test
    void aTornLogTailWithALostWalKeepsEveryCommitBeforeTheTear() throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live, 1_000_000, 1_000_000);
        int rows = writeAcknowledged(db, 30);
        UUID id = db.frameLog().logId();
        long last = db.frameLog().lastCommitFrameNo();
        String expected = query(db, "SELECT count(*) || ':' || sum(length(v)) FROM t");
        Path copy = crashCopy(tmp, live, "torn");
        // the unacknowledged commit: a partial record past the last commit (half of a frame's bytes)
        Path seg = copy.resolve("log").resolve(FrameLog.segmentName(1));
        ByteBuffer torn = ByteBuffer.allocate(FrameLog.RECORD / 2);
        torn.putLong(0, Long.reverseBytes(last + 1));
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(torn, last * FrameLog.RECORD);
        }
        cutWal(copy, 2);
        OpenDatabase re = open(copy, 1_000_000, 1_000_000);
        assertThat(query(re, "PRAGMA integrity_check")).isEqualTo("ok");
        assertThat(query(re, "SELECT count(*) FROM t")).isEqualTo(String.valueOf(rows));
        assertThat(query(re, "SELECT count(*) || ':' || sum(length(v)) FROM t")).isEqualTo(expected);
        assertThat(re.frameLog().logId()).isEqualTo(id);
        assertThat(re.frameLog().lastCommitFrameNo()).isEqualTo(last);
        exec(re, "INSERT INTO t(v) VALUES ('after')");
        FrameLogTest.assertFrameNumbersConsecutive(re.frameLog());
    }
}
