package dev.libsqlplatform.dataplane.storage;

import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.NO_ARGS;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.WAL_FRAME;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.WAL_HEADER;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.crashCopy;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.exec;
import static dev.libsqlplatform.dataplane.storage.LoggedDatabases.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the frame log, with the WAL at {@code synchronous=NORMAL} (the log's fsync is the write's only
 * flush). The frames file's channel is opened through {@link DurableFiles#open}, where this test wraps it so that its
 * writes or its fsync fail with {@code No space left on device}, as the kernel reports ENOSPC (a write that cannot
 * allocate blocks) or a failed writeback (an fsync after writes that were buffered). The window that needs proving:
 * SQLite committed, the log could not make it durable. It happens on a real full disk too: checked by hand on a 6 MiB
 * tmpfs (mounting needs root, so it is not a test here), an UPDATE loop (SQLite reuses its WAL after each checkpoint
 * while the frames file grows) ran the log out of space first and got the same {@code No space left on device} from
 * the kernel, with the outcome below; an INSERT loop instead hit SQLite's own {@code SQLITE_FULL} first, which fails the
 * statement before anything commits. Proven: the write is not acknowledged; while the disk
 * stays full no later write is either and nothing is checkpointed; a power loss meanwhile loses nothing acknowledged;
 * once space returns the next write succeeds and the log holds every commit exactly once, in order (a failed fsync is
 * never trusted: the records are written again).
 */
class FrameLogDiskFullTest {

    @TempDir
    Path tmp;
    private final List<OpenDatabase> open = new ArrayList<>();
    /** What the wrapped frames files refuse: nothing, their writes, or their fsync. */
    private volatile Fault fault = Fault.NONE;

    enum Fault { NONE, WRITE, FSYNC }

    @AfterEach
    void closeAll() {
        fault = Fault.NONE;
        open.forEach(OpenDatabase::close);
        DurableFiles.opener = FileChannel::open;
    }

    private OpenDatabase open(Path dir) throws Exception {
        DurableFiles.opener = (file, options) -> {
            FileChannel ch = FileChannel.open(file, options);
            return file.getFileName().toString().startsWith("frames") ? new Faulty(ch) : ch;
        };
        OpenDatabase db = LoggedDatabases.open("full", dir, 20, 1_000_000);
        open.add(db);
        return db;
    }

    @Test
    void aLogWriteFailingWithEnospcIsNotAcknowledgedAndTheLogRecovers() throws Exception {
        diskFull(Fault.WRITE);
    }

    @Test
    void aFailedLogFsyncIsNotAcknowledgedNorTrustedAfterwards() throws Exception {
        diskFull(Fault.FSYNC);
    }

    private void diskFull(Fault kind) throws Exception {
        Path live = tmp.resolve("live");
        OpenDatabase db = open(live);
        exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        int acked = 0;
        for (int i = 0; i < 30; i++) {
            exec(db, "INSERT INTO t(v) VALUES ('ack-' || printf('%0300d', " + i + "))");
            acked++;
        }
        UUID id = db.frameLog().logId();
        long lastAcked = db.frameLog().lastCommitFrameNo();
        int walBefore = db.frameLog().walFrames();

        fault = kind;
        assertThatThrownBy(() -> exec(db, "INSERT INTO t(v) VALUES ('failed-1')"))
                .isInstanceOf(FrameLogException.class).hasMessageContaining("No space left on device");
        // every later write is refused too while the log cannot take what SQLite committed (it retries first)
        assertThatThrownBy(() -> exec(db, "INSERT INTO t(v) VALUES ('never')"))
                .hasMessageContaining("No space left on device");
        assertThat(db.frameLog().lastCommitFrameNo()).as("nothing logged").isEqualTo(lastAcked);
        assertThat(db.frameLog().walFrames()).as("the WAL position stays at the last durable commit")
                .isEqualTo(walBefore);

        // a power loss while the disk is full: the WAL's unflushed frames after the last logged commit are gone
        Path crashed = crashCopy(tmp, live, "crashed-while-full");
        try (FileChannel ch = FileChannel.open(crashed.resolve("data.db-wal"), StandardOpenOption.WRITE)) {
            ch.truncate(WAL_HEADER + (long) walBefore * WAL_FRAME);
        }

        // space returns: the next write logs the failed commit (SQLite had committed it) and its own
        fault = Fault.NONE;
        exec(db, "INSERT INTO t(v) VALUES ('after')");
        acked++;
        assertThat(query(db, "SELECT count(*) FROM t WHERE v LIKE 'ack-%' OR v = 'after'"))
                .isEqualTo(String.valueOf(acked));
        assertThat(query(db, "SELECT count(*) FROM t WHERE v = 'never'")).isEqualTo("0");
        assertThat(db.frameLog().logId()).isEqualTo(id);
        FrameLogTest.assertFrameNumbersConsecutive(db.frameLog());
        assertLogRebuilds(db, "SELECT group_concat(id || v, ',') FROM (SELECT * FROM t ORDER BY id)");

        OpenDatabase re = open(crashed);
        assertThat(query(re, "PRAGMA integrity_check")).isEqualTo("ok");
        assertThat(query(re, "SELECT count(*) FROM t WHERE v LIKE 'ack-%'")).isEqualTo("30");
        assertThat(re.frameLog().logId()).as("history kept").isEqualTo(id);
        assertThat(re.frameLog().lastCommitFrameNo()).isGreaterThanOrEqualTo(lastAcked);
        exec(re, "INSERT INTO t(v) VALUES ('after-crash')");
        FrameLogTest.assertFrameNumbersConsecutive(re.frameLog());
    }

    /** Snapshot plus every logged frame, as a replica would apply them, gives the database's content. */
    private void assertLogRebuilds(OpenDatabase db, String sql) throws Exception {
        String expected = query(db, sql);
        DbConnection w = db.acquireWriter();
        Path image = tmp.resolve("image.db");
        try {
            FrameLog fl = db.frameLog();
            Files.deleteIfExists(image);
            try (FrameLog.SnapshotReader snap = fl.openSnapshot();
                 FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer page = ByteBuffer.allocate(4096);
                for (int p = 1; p <= snap.pages(); p++) {
                    page.clear();
                    snap.readPage(p, page);
                    page.flip();
                    out.write(page, (long) (p - 1) * 4096);
                }
                long size = -1;
                for (long from = fl.startFrameNo(); from <= fl.lastCommitFrameNo(); ) {
                    List<byte[]> frames = fl.read(from, 100);
                    for (byte[] f : frames) {
                        ByteBuffer b = ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        int pageNo = b.getInt(16);
                        int after = b.getInt(20);
                        out.write(ByteBuffer.wrap(f, 24, 4096), (long) (pageNo - 1) * 4096);
                        if (after != 0) {
                            size = after;
                        }
                    }
                    from += frames.size();
                }
                if (size > 0) {
                    out.truncate(size * 4096);
                }
            }
        } finally {
            db.releaseWriter(w);
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + image);
             Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(expected);
        }
    }

    /** A frames file on a disk that may be full. */
    private final class Faulty extends FileChannel {
        private final FileChannel ch;

        Faulty(FileChannel ch) {
            this.ch = ch;
        }

        private void writeFault() throws IOException {
            if (fault == Fault.WRITE) {
                throw new IOException("No space left on device");
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return ch.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            writeFault();
            return ch.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            writeFault();
            return ch.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return ch.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            ch.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            ch.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (fault != Fault.NONE) {
                throw new IOException("No space left on device");
            }
            ch.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return ch.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            writeFault();
            return ch.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            writeFault();
            return ch.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return ch.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return ch.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return ch.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            ch.close();
        }
    }
}
