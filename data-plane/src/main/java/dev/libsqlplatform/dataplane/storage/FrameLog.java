package dev.libsqlplatform.dataplane.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable frame log of one database: every page image SQLite commits, in commit order, with a frame number that
 * only grows, fsynced before the write that produced it is acknowledged (the writer calls {@link #capture} before it
 * gives the writer permit back) and before a checkpoint may drop it from the WAL (checkpoints run only after a
 * capture; SQLite's automatic checkpoints are off). This is what embedded replicas pull.
 *
 * <p>On disk, in {@code <db folder>/log/}:
 * <ul>
 *   <li>{@code id}: the log id (a UUID). It changes only when history is rewritten: the log was lost or found
 *       inconsistent and rebuilt from the database file.</li>
 *   <li>{@code snapshot-<B>-<salt1>-<salt2>-<walEnd>.db}: the database image as of commit frame {@code B} (raw 4096-byte
 *       pages); frames up to B are served from it. The name also keeps the WAL position reached at B. A fresh log
 *       starts at B = 0 with a copy of the checkpointed file.</li>
 *   <li>{@code frames-<B+1>.log}: frames B+1.. as fixed {@value #RECORD}-byte records: the 4120-byte frame exactly as
 *       sqld's {@code Frame.data} carries it (frame_no u64 LE, checksum u64 LE, page_no u32 LE, size_after u32 LE,
 *       page; size_after non-zero on a transaction's last frame), then a 24-byte trailer (WAL salts, WAL frames
 *       consumed, commit time). The checksum field holds a CRC32C of the record (clients ignore it); at open, a torn
 *       tail (a crash during an unacknowledged append) is cut back to the last intact commit.</li>
 * </ul>
 * Compaction: when the frames file holds more than {@code maxLogFrames} frames, the snapshot is rolled forward over
 * them (copy, apply, truncate to the last commit's size, fsync) in the background, and a later capture puts it into
 * effect with the frames file of the records logged meanwhile ({@link #finishCompaction}).
 *
 * <p>Threads: {@link #capture} runs under the database's writer permit; compaction's image (its own files and
 * channels) and the frames file's zero-fill (only past the appends' end, under a lock the writer takes only when it
 * outruns the fill) run on background threads; readers ({@link #read},
 * {@link #openSnapshot}) run concurrently and see only fully fsynced commits.
 */
public final class FrameLog implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(FrameLog.class);
    public static final int PAGE = OpenDatabase.PAGE_SIZE;
    /** sqld's frame: 24-byte header and one page. */
    public static final int FRAME = 24 + PAGE;
    static final int RECORD = FRAME + 24;
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{20})-([0-9a-f]{8})-([0-9a-f]{8})-(\\d+)\\.db");
    private static final Pattern SEGMENT = Pattern.compile("frames-(\\d{20})\\.log");
    private static final int WRITE_BATCH = 16;

    /** The base image of the log. */
    record Snapshot(Path file, long baseFrameNo, int salt1, int salt2, int walEnd) {
    }

    /** Frames asked for lie before the log's start: the replica needs the snapshot. */
    public static final class NeedSnapshotException extends Exception {
        NeedSnapshotException() {
            super("NEED_SNAPSHOT", null, false, false);
        }
    }

    /** An open, immutable snapshot: its pages are read from an open file, which compaction may unlink meanwhile. */
    public static final class SnapshotReader implements Closeable {
        private final FileChannel ch;
        private final long baseFrameNo;
        private final int pages;

        SnapshotReader(FileChannel ch, long baseFrameNo, int pages) {
            this.ch = ch;
            this.baseFrameNo = baseFrameNo;
            this.pages = pages;
        }

        /** The commit frame the image is as of. */
        public long baseFrameNo() {
            return baseFrameNo;
        }

        public int pages() {
            return pages;
        }

        /** Reads page {@code pageNo} (1-based) into {@code dst} (4096 bytes are put). */
        public void readPage(int pageNo, ByteBuffer dst) throws IOException {
            int before = dst.position();
            ByteBuffer view = dst.slice().limit(PAGE);
            if (WalTail.readFully(ch, view, (long) (pageNo - 1) * PAGE) != PAGE) {
                throw new IOException("snapshot page " + pageNo + " is missing");
            }
            dst.position(before + PAGE);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private final Path dir;
    private final Path dbFile;
    private final UUID logId;
    private final long maxLogFrames;
    private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
    private final CRC32C crc = new CRC32C();
    /** Records on their way to the frames file: used only during one capture, by the thread holding the writer permit. */
    private static final ThreadLocal<ByteBuffer> OUT = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(WRITE_BATCH * RECORD).order(ByteOrder.LITTLE_ENDIAN));
    private ByteBuffer out;
    private Snapshot snapshot;
    private FileChannel frames;
    /** Bytes of {@link #frames} that hold complete, fsynced commits. */
    private long committedBytes;
    /** Bytes written by the capture in progress. */
    private long writtenBytes;
    /**
     * Bytes of {@link #frames} already written (zeros past the log's end): appends overwrite them, so the fsync of a
     * commit flushes data only, not the file's size and block map, which would cost a journal commit per write.
     */
    private volatile long allocated;
    /** Guards {@link #allocated} and the zero-filling of {@link #frames} past it (writer and background filler). */
    private final Object alloc = new Object();
    /** A background zero-fill of {@link #frames} is queued or running. */
    private volatile boolean filling;
    private static final int PREALLOCATE = 4 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);
    /**
     * Compactions run here, off the writer's path: one thread for every database of the worker (they are rare, and one
     * at a time keeps their I/O from piling onto the commits' flushes). Zero-fills have their own thread, so that a long
     * compaction does not hold them up. Neither is ever interrupted: an interrupt would close the channels they use.
     */
    private static final ExecutorService COMPACTOR = daemon("frame-log-compactor");
    private static final ExecutorService FILLER = daemon("frame-log-filler");

    private static ExecutorService daemon(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Held by a running compaction: {@link #close} waits on it; a compaction still queued then finds the log closed. */
    private final Object compacting = new Object();
    /** The compaction in progress (its snapshot is being written in the background), or null. Writer only. */
    private Future<Prepared> compaction;
    private volatile long lastCommitFrameNo;
    private volatile long lastCommitMillis;
    private long nextFrameNo;
    private int currentWalEnd;
    private WalTail wal;
    private volatile boolean closed;

    /** A snapshot written by a background compaction, fsynced, not yet in effect. */
    private record Prepared(Path tmp, long baseFrameNo, long baseBytes, int salt1, int salt2, int walEnd) {
    }

    private FrameLog(Path dir, Path dbFile, UUID logId, long maxLogFrames) {
        this.dir = dir;
        this.dbFile = dbFile;
        this.logId = logId;
        this.maxLogFrames = Math.max(1, maxLogFrames);
    }

    /**
     * First step of opening a database with a log, before SQLite has any connection to it: loads the log (null when
     * there is none, or it is inconsistent and must be rebuilt) and puts back into the WAL, or into the database file,
     * every logged commit a power loss took from them ({@link #restoreWal}). Then open the writer and call
     * {@link #open}.
     */
    static FrameLog recover(Path dbFile, long maxLogFrames) throws IOException {
        Path dir = dbFile.resolveSibling("log");
        if (!Files.isRegularFile(dir.resolve("id"))) {
            return null;
        }
        FrameLog fl;
        try {
            fl = load(dir, dbFile, maxLogFrames);
        } catch (IOException | RuntimeException e) {
            log.error("the frame log {} is inconsistent ({}); rebuilding it from the database file under a new"
                    + " log id: replicas will rebuild themselves", dir, e.toString());
            return null;
        }
        try {
            fl.restoreWal();
        } catch (IOException | RuntimeException e) {
            fl.close();
            throw e;
        }
        return fl;
    }

    /**
     * Second step: brings the {@link #recover recovered} log up to date with the WAL (commits made after the last
     * logged one, never acknowledged), or creates the log when there was none. Call before any connection other than
     * the writer (autocheckpoint already off) exists.
     */
    static FrameLog open(Path dbFile, DbConnection writer, FrameLog recovered, long maxLogFrames)
            throws IOException, java.sql.SQLException {
        if (recovered != null) {
            try {
                recovered.capture();
                return recovered;
            } catch (IOException e) {
                recovered.close();
                log.error("the frame log {} disagrees with its database ({}); rebuilding it from the database file"
                        + " under a new log id: replicas will rebuild themselves", recovered.dir, e.getMessage());
            }
        }
        FrameLog fl = create(dbFile.resolveSibling("log"), dbFile, writer, maxLogFrames);
        fl.capture();
        return fl;
    }

    /**
     * The recovery invariant. With {@code synchronous=NORMAL} SQLite does not flush the WAL at commit: the frame log's
     * fsync is the one durability point of a write (it is acknowledged after it). So after a power loss the WAL may
     * lack frames the log holds. What SQLite itself guarantees bounds the damage: it fsyncs a new WAL generation's
     * header before the generation's first frame, fsyncs the WAL before a checkpoint copies frames and the database
     * file before it counts them as checkpointed (also at NORMAL: only the commit's own fsync is skipped), and starts a
     * new generation (new salts) only after a complete checkpoint; compaction fsyncs the WAL, so the frames up to a
     * snapshot's WAL position are durable in it. Hence, before any connection exists, with (salts, position) = where
     * the last logged commit left the WAL:
     * <ul>
     *   <li>the WAL has those salts and at least that many intact frames: nothing was lost;</li>
     *   <li>it has those salts and fewer: the frames after the last intact commit are written back from the log's
     *       records, byte for byte what SQLite wrote there (same header fields, same checksum chain), and fsynced;
     *       SQLite's own recovery then finds every logged commit;</li>
     *   <li>it has a valid header with other salts: the logged generation was checkpointed completely;</li>
     *   <li>there is no WAL: it was checkpointed and removed by a clean close, which leaves a {@value #CLOSED} file
     *       naming the log position it closed at; without that file (a WAL deleted by hand, a crash during close) the
     *       database file is rebuilt from the log: snapshot plus every logged frame is exactly the acknowledged
     *       history (commits after it were never acknowledged).</li>
     * </ul>
     */
    private void restoreWal() throws IOException {
        if (wal.consumed() == 0) {
            return; // nothing of the current WAL generation was logged (a fresh log, or a clean restart)
        }
        int logged = wal.consumed();
        switch (wal.check()) {
            case HOLDS_LOGGED, RESTARTED -> {
            }
            case SHORT -> {
                int intact = wal.consumed();
                long firstRecord = committedBytes / RECORD - (logged - intact);
                long lowest = committedBytes / RECORD - (logged - snapshotWalFramesOfLastGeneration());
                if (firstRecord < Math.max(0, lowest)) {
                    // the WAL lost frames only the snapshot holds (not possible unless the disk lost fsynced data)
                    rebuildDatabase("the WAL lost frames older than the log's records");
                    return;
                }
                log.warn("database {}: the WAL lost {} logged frames after its last flush (power loss?); writing them"
                        + " back from the frame log", dbFile, logged - intact);
                ByteBuffer rec = ByteBuffer.allocate(RECORD).order(ByteOrder.LITTLE_ENDIAN);
                long[] next = {firstRecord};
                wal.restore(logged - intact, page -> {
                    rec.clear();
                    if (WalTail.readFully(frames, rec, next[0] * RECORD) < RECORD) {
                        throw new IOException("frame log record " + next[0] + " is missing");
                    }
                    next[0]++;
                    if (rec.getInt(FRAME) != wal.salt1() || rec.getInt(FRAME + 4) != wal.salt2()) {
                        throw new IOException("frame log record of another WAL generation where the WAL lost frames");
                    }
                    page.put(rec.array(), 24, PAGE);
                    return new int[] {rec.getInt(16), rec.getInt(20)};
                });
            }
            case ABSENT -> {
                if (!closedCleanly()) {
                    rebuildDatabase("the WAL is gone although it held logged frames and the database was not closed"
                            + " cleanly");
                }
            }
        }
    }

    /**
     * Frames of the last logged WAL generation that precede the frames file (held only by the snapshot): the
     * snapshot's WAL position when it was taken in that generation, else 0.
     */
    private int snapshotWalFramesOfLastGeneration() {
        return snapshot.salt1() == wal.salt1() && snapshot.salt2() == wal.salt2() ? snapshot.walEnd() : 0;
    }

    /**
     * Replaces the database file with the log's image (snapshot plus every logged frame) and removes the WAL and the
     * shared-memory index. Only before any connection exists.
     */
    private void rebuildDatabase(String why) throws IOException {
        log.error("database {}: {}; rebuilding the database file from the frame log (every logged commit is kept;"
                + " commits after the last logged one were never acknowledged)", dbFile, why);
        wal.close();
        Path tmp = dbFile.resolveSibling(dbFile.getFileName() + ".rebuild");
        writeImage(tmp);
        Files.move(tmp, dbFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(dbFile.resolveSibling(dbFile.getFileName() + "-wal"));
        Files.deleteIfExists(dbFile.resolveSibling(dbFile.getFileName() + "-shm"));
        MetaFiles.fsyncDir(dbFile.getParent());
        markClosed();
    }

    /** Name of the file a clean close leaves: the log position whose WAL generation is in the database file. */
    static final String CLOSED = "closed";

    private String position() {
        return logId + " " + lastCommitFrameNo + " " + Integer.toHexString(wal.salt1()) + " "
                + Integer.toHexString(wal.salt2()) + " " + wal.consumed();
    }

    /**
     * Records that every logged commit is in the database file and no later commit exists: called after the capture
     * and the TRUNCATE checkpoint of a close (or a rebuild). Whatever removes the WAL afterwards (SQLite, when the
     * last connection closes) checkpoints it first, with the database file fsynced.
     */
    void markClosed() throws IOException {
        DurableFiles.writeAtomically(dir.resolve(CLOSED), position().getBytes(StandardCharsets.US_ASCII));
    }

    /** Withdraws {@link #markClosed}: the database file may come to hold commits the log lacks. */
    void forgetClosed() {
        try {
            if (Files.deleteIfExists(dir.resolve(CLOSED))) {
                MetaFiles.fsyncDir(dir);
            }
        } catch (IOException e) {
            log.error("frame log {}: cannot remove {}: {}", dir, CLOSED, e.toString());
        }
    }

    private boolean closedCleanly() {
        try {
            return Files.readString(dir.resolve(CLOSED), StandardCharsets.US_ASCII).trim().equals(position());
        } catch (IOException e) {
            return false;
        }
    }

    private static FrameLog create(Path dir, Path dbFile, DbConnection writer, long maxLogFrames)
            throws IOException, java.sql.SQLException {
        // the image must hold every commit: fold the WAL into the file first (no other connection exists yet)
        writer.trusted("PRAGMA wal_checkpoint(TRUNCATE)");
        Path tmp = dir.resolveSibling("log.tmp");
        deleteTree(tmp);
        deleteTree(dir);
        Files.createDirectories(tmp);
        UUID id = UUID.randomUUID();
        Path snap = tmp.resolve(snapshotName(0, 0, 0, 0));
        Files.copy(dbFile, snap);
        fsync(snap);
        Path seg = tmp.resolve(segmentName(1));
        Files.createFile(seg);
        fsync(seg);
        Path idFile = tmp.resolve("id");
        Files.writeString(idFile, id.toString());
        fsync(idFile);
        MetaFiles.fsyncDir(tmp);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        MetaFiles.fsyncDir(dir.getParent());
        return load(dir, dbFile, maxLogFrames);
    }

    private static FrameLog load(Path dir, Path dbFile, long maxLogFrames) throws IOException {
        UUID id = UUID.fromString(Files.readString(dir.resolve("id"), StandardCharsets.US_ASCII).trim());
        FrameLog fl = new FrameLog(dir, dbFile, id, maxLogFrames);
        List<Snapshot> snaps = new ArrayList<>();
        List<Long> segs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                Matcher m = SNAPSHOT.matcher(name);
                Matcher s = SEGMENT.matcher(name);
                if (m.matches()) {
                    snaps.add(new Snapshot(p, Long.parseLong(m.group(1)), Integer.parseUnsignedInt(m.group(2), 16),
                            Integer.parseUnsignedInt(m.group(3), 16), Integer.parseInt(m.group(4))));
                } else if (s.matches()) {
                    segs.add(Long.parseLong(s.group(1)));
                } else if (name.endsWith(".tmp")) {
                    Files.delete(p); // an interrupted compaction
                }
            }
        }
        Snapshot snap = snaps.stream().max(Comparator.comparingLong(Snapshot::baseFrameNo))
                .orElseThrow(() -> new IOException("no snapshot in " + dir));
        for (Snapshot old : snaps) {
            if (old != snap) {
                Files.delete(old.file());
            }
        }
        long first = snap.baseFrameNo() + 1;
        for (long segFirst : segs) {
            if (segFirst < first) {
                Files.delete(dir.resolve(segmentName(segFirst))); // covered by the snapshot (compaction finished)
            } else if (segFirst > first) {
                // a compaction stopped between placing its frames file and its snapshot: the frames file it copied
                // from (the one following the snapshot) holds all of it
                if (!Files.exists(dir.resolve(segmentName(first)))) {
                    throw new IOException("frames file " + segmentName(segFirst) + " does not follow the snapshot at "
                            + snap.baseFrameNo());
                }
                Files.delete(dir.resolve(segmentName(segFirst)));
            }
        }
        Path seg = dir.resolve(segmentName(first));
        if (!Files.exists(seg)) {
            Files.createFile(seg);
            fsync(seg);
            MetaFiles.fsyncDir(dir);
        }
        fl.snapshot = snap;
        fl.frames = DurableFiles.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE);
        fl.recoverTail(first);
        return fl;
    }

    /** Cuts a torn tail back to the last intact commit; sets the WAL position and the frame counters. */
    private void recoverTail(long first) throws IOException {
        long size = frames.size();
        long n = size / RECORD;
        ByteBuffer rec = ByteBuffer.allocate(RECORD).order(ByteOrder.LITTLE_ENDIAN);
        long goodBytes = 0;
        long lastCommit = snapshot.baseFrameNo();
        long commitMillis = 0;
        int salt1 = snapshot.salt1();
        int salt2 = snapshot.salt2();
        int walEnd = snapshot.walEnd();
        for (long i = 0; i < n; i++) {
            rec.clear();
            if (WalTail.readFully(frames, rec, i * RECORD) < RECORD || rec.getLong(0) != first + i
                    || rec.getLong(8) != checksum(rec)) {
                break;
            }
            if (rec.getInt(20) != 0) {
                goodBytes = (i + 1) * RECORD;
                lastCommit = first + i;
                salt1 = rec.getInt(FRAME);
                salt2 = rec.getInt(FRAME + 4);
                walEnd = rec.getInt(FRAME + 8);
                commitMillis = rec.getLong(FRAME + 16);
            }
        }
        if (goodBytes != size) {
            rec.clear();
            boolean torn = WalTail.readFully(frames, rec, goodBytes) == RECORD && rec.getLong(0) != 0;
            if (torn) {
                log.warn("frame log {}: cutting the records after the last intact commit (frame {}): a write that was"
                        + " never acknowledged", dir, lastCommit);
            }
            frames.truncate(goodBytes);
            frames.force(true);
        }
        allocated = goodBytes;
        committedBytes = goodBytes;
        writtenBytes = goodBytes;
        lastCommitFrameNo = lastCommit;
        lastCommitMillis = commitMillis;
        nextFrameNo = lastCommit + 1;
        currentWalEnd = walEnd;
        wal = new WalTail(dbFile.resolveSibling(dbFile.getFileName() + "-wal"), salt1, salt2, walEnd);
    }

    public UUID logId() {
        return logId;
    }

    /** Frame number of the last durable commit frame (the snapshot's base when no frame followed it). */
    public long lastCommitFrameNo() {
        return lastCommitFrameNo;
    }

    /** Wall-clock time of the last logged commit (0 when none since the worker opened a fresh log). */
    public long lastCommitMillis() {
        return lastCommitMillis;
    }

    /** The first frame number served from the frames file; earlier ones only through the snapshot. */
    public long startFrameNo() {
        swap.readLock().lock();
        try {
            return snapshot.baseFrameNo() + 1;
        } finally {
            swap.readLock().unlock();
        }
    }

    /** WAL frames of the current WAL generation (the checkpoint trigger). */
    int walFrames() {
        return wal.consumed();
    }

    /**
     * Appends every commit SQLite made since the last call and fsyncs them. Called with the writer permit held, before
     * it is given back; returns the number of frames appended.
     */
    int capture() throws IOException {
        if (closed) {
            return 0;
        }
        WalTail.Mark mark = wal.mark();
        try {
            return append();
        } catch (IOException | RuntimeException e) {
            // not durable: the WAL is read again from the last logged commit by the next capture, and the records
            // are written again from the last durable one (a failed fsync is never trusted)
            wal.reset(mark);
            writtenBytes = committedBytes;
            throw e;
        }
    }

    private int append() throws IOException {
        long before = nextFrameNo;
        long frameNo = nextFrameNo;
        long[] frameCounter = {frameNo};
        long now = System.currentTimeMillis();
        writtenBytes = committedBytes;
        out = OUT.get();
        out.clear();
        long[] lastCommit = {-1};
        int commits = wal.read(new WalTail.Sink() {
            @Override
            public void frame(int pageNo, int commitSize, ByteBuffer page, int walEnd) throws IOException {
                if (!out.hasRemaining()) {
                    flush();
                }
                int base = out.position();
                long no = frameCounter[0]++;
                out.putLong(no).putLong(0).putInt(pageNo).putInt(commitSize).put(page);
                out.putInt(wal.salt1()).putInt(wal.salt2()).putInt(walEnd).putInt(0).putLong(now);
                out.putLong(base + 8, checksum(out, base));
                if (commitSize != 0) {
                    lastCommit[0] = no;
                }
            }

            @Override
            public void discardUncommitted() throws IOException {
                // the records after the last commit stay as garbage past the log's end: readers and the recovery scan
                // never go beyond the last commit frame, and the next capture overwrites them
                flush();
            }
        });
        flush();
        if (commits == 0) {
            writtenBytes = committedBytes;
            return 0;
        }
        long last = lastCommit[0];
        long keep = committedBytes + (last - nextFrameNo + 1) * RECORD;
        frames.force(false);
        committedBytes = keep;
        writtenBytes = keep;
        nextFrameNo = last + 1;
        currentWalEnd = wal.consumed();
        lastCommitMillis = now;
        lastCommitFrameNo = last;
        if (compaction != null && compaction.isDone()) {
            finishCompaction();
        } else if (compaction == null && nextFrameNo - snapshot.baseFrameNo() - 1 > maxLogFrames) {
            startCompaction();
        }
        return (int) (nextFrameNo - before);
    }

    private void flush() throws IOException {
        out.flip();
        if (!out.hasRemaining()) {
            out.clear();
            return; // nothing to append: an idle database gets no preallocated file
        }
        long end = writtenBytes + out.remaining();
        if (allocated < end) {
            // the background fill did not keep up (or the file is new): this write extends the file itself (its
            // fsync then commits the new size too, once); the fill below goes on from its end
            synchronized (alloc) {
                if (allocated < end) {
                    allocated = end;
                }
            }
        }
        while (out.hasRemaining()) {
            writtenBytes += frames.write(out, writtenBytes);
        }
        out.clear();
        if (!filling && allocated - end < PREALLOCATE / 2) {
            filling = true;
            FileChannel target = frames;
            long goal = end + PREALLOCATE;
            FILLER.execute(() -> preallocate(target, goal));
        }
    }

    /** Writes zeros into {@code ch} from {@link #allocated} up to {@code target}. Holding {@link #alloc}. */
    private void zeroFill(FileChannel ch, long target) throws IOException {
        while (allocated < target) {
            ByteBuffer z = ZEROS.duplicate();
            long at = allocated;
            while (z.hasRemaining()) {
                at += ch.write(z, at);
            }
            allocated = at;
        }
    }

    /**
     * Background: zero-fills the frames file ahead of the appends and flushes the zeros, so that a commit's fdatasync
     * finds its blocks allocated and the file's size already durable (it then writes the commit's pages only, no
     * journal commit). One MiB at a time under {@link #alloc}: the writer never writes past {@link #allocated} without
     * that lock, so the zeros never land on records. Gives up when the frames file was replaced or the log closed; a
     * failure (disk full) is left to the writer's own fill, which reports it on the write.
     */
    private void preallocate(FileChannel target, long goal) {
        try {
            while (true) {
                synchronized (alloc) {
                    if (closed || frames != target || allocated >= goal) {
                        break;
                    }
                    zeroFill(target, Math.min(goal, allocated + ZEROS.capacity()));
                }
            }
            if (!closed && frames == target) {
                target.force(false);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("frame log {}: preallocation stopped: {}", dir, e.toString());
        } finally {
            filling = false;
        }
    }

    private long checksum(ByteBuffer rec) {
        return checksum(rec, 0);
    }

    private long checksum(ByteBuffer rec, int base) {
        crc.reset();
        crc.update(rec.slice(base, 8));
        crc.update(rec.slice(base + 16, RECORD - 16));
        return crc.getValue();
    }

    /**
     * Starts rolling the snapshot forward over every frame logged so far (up to commit {@code B}), in the background:
     * the writer goes on appending to the frames file meanwhile. Writer permit held. Nothing on disk changes meaning
     * until {@link #finishCompaction} (the new image is a {@code .tmp} file, which a restart deletes).
     */
    private void startCompaction() {
        long base = lastCommitFrameNo;
        long baseBytes = committedBytes;
        int salt1 = wal.salt1();
        int salt2 = wal.salt2();
        int walEnd = currentWalEnd;
        Snapshot from = snapshot;
        Path seg = dir.resolve(segmentName(from.baseFrameNo() + 1));
        Path walFile = dbFile.resolveSibling(dbFile.getFileName() + "-wal");
        compaction = COMPACTOR.submit(() -> {
            synchronized (compacting) {
                if (closed) {
                    throw new IOException("the frame log was closed");
                }
                return compact(base, baseBytes, salt1, salt2, walEnd, from, seg, walFile);
            }
        });
    }

    private Prepared compact(long base, long baseBytes, int salt1, int salt2, int walEnd, Snapshot from, Path seg,
            Path walFile) throws IOException {
        // the frames up to the new snapshot's WAL position leave the frames file: the WAL must keep them durably
        // (restoreWal can only write back frames the frames file still holds). A WAL restarted meanwhile had its
        // generation checkpointed completely (database file fsynced by SQLite) first.
        try (FileChannel w = FileChannel.open(walFile, StandardOpenOption.READ)) {
            w.force(false);
        } catch (java.nio.file.NoSuchFileException e) {
            // checkpointed and removed (the database closed): nothing to keep
        }
        Path tmp = dir.resolve("snapshot.tmp");
        try (FileChannel src = FileChannel.open(seg, StandardOpenOption.READ)) {
            writeImage(tmp, from, src, baseBytes);
        }
        return new Prepared(tmp, base, baseBytes, salt1, salt2, walEnd);
    }

    /**
     * Puts a finished background compaction into effect, writer permit held, after a capture: the records logged since
     * the compaction started are copied into the new frames file (a few hundred frames: the image took a moment to
     * write), which is fsynced and renamed into place, then the snapshot is renamed into place, each rename made
     * durable before the next. A crash before the snapshot's rename leaves the old snapshot, its frames file and a
     * frames file that starts after it, which {@link #load} deletes; after it, the old files, which it deletes too.
     * A failure leaves the log as it was (the compaction is tried again later); the commit just logged is unaffected.
     */
    private void finishCompaction() {
        Future<Prepared> done = compaction;
        compaction = null;
        Prepared p;
        try {
            p = done.get();
        } catch (ExecutionException e) {
            log.error("frame log {}: compaction failed, tried again later: {}", dir, e.getCause().toString());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Path segTmp = dir.resolve("frames.tmp");
        Path seg = dir.resolve(segmentName(p.baseFrameNo() + 1));
        boolean segPlaced = false;
        FileChannel fresh = null;
        try {
            fresh = DurableFiles.open(segTmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            long tail = committedBytes - p.baseBytes();
            long copied = 0;
            while (copied < tail) {
                copied += frames.transferTo(p.baseBytes() + copied, tail - copied, fresh);
            }
            fresh.force(true);
            Files.move(segTmp, seg, StandardCopyOption.ATOMIC_MOVE);
            segPlaced = true;
            MetaFiles.fsyncDir(dir);
            Path snap = dir.resolve(snapshotName(p.baseFrameNo(), p.salt1(), p.salt2(), p.walEnd()));
            Files.move(p.tmp(), snap, StandardCopyOption.ATOMIC_MOVE);
            MetaFiles.fsyncDir(dir);
            Snapshot oldSnap;
            FileChannel oldFrames;
            long oldFirst;
            swap.writeLock().lock();
            try {
                synchronized (alloc) {
                    oldSnap = snapshot;
                    oldFrames = frames;
                    oldFirst = snapshot.baseFrameNo() + 1;
                    snapshot = new Snapshot(snap, p.baseFrameNo(), p.salt1(), p.salt2(), p.walEnd());
                    frames = fresh;
                    committedBytes = tail;
                    writtenBytes = tail;
                    allocated = tail;
                }
            } finally {
                swap.writeLock().unlock();
            }
            fresh = null;
            oldFrames.close();
            Files.deleteIfExists(dir.resolve(segmentName(oldFirst)));
            Files.deleteIfExists(oldSnap.file());
            log.debug("frame log {} compacted into a snapshot at frame {}", dir, p.baseFrameNo());
        } catch (IOException | RuntimeException e) {
            log.error("frame log {}: compaction could not be put into effect, tried again later: {}", dir,
                    e.toString());
            try {
                if (fresh != null) {
                    fresh.close();
                }
                Files.deleteIfExists(segTmp);
                if (segPlaced) {
                    Files.deleteIfExists(seg);
                }
                Files.deleteIfExists(p.tmp());
            } catch (IOException ignored) {
                // a restart deletes what is left (load)
            }
        }
    }

    /** Tests: waits for a compaction in progress and puts it into effect. Writer permit held. */
    void awaitCompaction() {
        if (compaction != null) {
            try {
                compaction.get();
            } catch (ExecutionException e) {
                // reported by finishCompaction
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            finishCompaction();
        }
    }

    /** Writes the database as of the last logged commit (snapshot plus every logged frame) to {@code target}, fsynced. */
    private void writeImage(Path target) throws IOException {
        writeImage(target, snapshot, frames, committedBytes);
    }

    /**
     * The image of {@code from} plus the first {@code bytes} of frames file {@code src}, written to {@code target}. Only
     * the last image of each page is written (in page order), which is what applying every record in order and then
     * truncating to the last commit's size gives: an autocommit workload logs the same few pages over and over, so a
     * compaction of 16,384 frames writes a few hundred pages instead of 16,384. The records are scanned in 1 MiB reads;
     * the snapshot is copied with {@code transferTo} (in the kernel).
     */
    private void writeImage(Path target, Snapshot from, FileChannel src, long bytes) throws IOException {
        long n = bytes / RECORD;
        // record index of each page's last image, by page number (-1: none)
        long[] last = new long[0];
        long sizePages = -1;
        ByteBuffer chunk = ByteBuffer.allocateDirect(SCAN_RECORDS * RECORD).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i += SCAN_RECORDS) {
            if (closed) {
                throw new IOException("the frame log was closed");
            }
            int count = (int) Math.min(SCAN_RECORDS, n - i);
            chunk.clear().limit(count * RECORD);
            if (WalTail.readFully(src, chunk, i * RECORD) < count * RECORD) {
                throw new IOException("frame log record " + i + " is missing");
            }
            for (int k = 0; k < count; k++) {
                int pageNo = chunk.getInt(k * RECORD + 16);
                int size = chunk.getInt(k * RECORD + 20);
                if (pageNo < 1) {
                    throw new IOException("frame log record " + (i + k) + " has page " + pageNo);
                }
                if (pageNo > last.length) {
                    int old = last.length;
                    last = java.util.Arrays.copyOf(last, Math.max(pageNo, old * 2));
                    java.util.Arrays.fill(last, old, last.length, -1);
                }
                last[pageNo - 1] = i + k;
                if (size != 0) {
                    sizePages = size;
                }
            }
        }
        try (FileChannel snap = FileChannel.open(from.file(), StandardOpenOption.READ);
             FileChannel img = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long len = snap.size();
            if (sizePages >= 0) {
                len = Math.min(len, sizePages * PAGE); // pages past the last commit's size are cut anyway
            }
            for (long done = 0; done < len; ) {
                long moved = snap.transferTo(done, len - done, img);
                if (moved <= 0) {
                    throw new IOException("copying the snapshot stopped at byte " + done);
                }
                done += moved;
            }
            ByteBuffer page = ByteBuffer.allocateDirect(PAGE);
            long limitPages = sizePages >= 0 ? sizePages : Long.MAX_VALUE;
            for (int p = 0; p < last.length && p < limitPages; p++) {
                if (last[p] < 0) {
                    continue;
                }
                if (closed) {
                    throw new IOException("the frame log was closed");
                }
                page.clear();
                if (WalTail.readFully(src, page, last[p] * RECORD + 24) < PAGE) {
                    throw new IOException("frame log record " + last[p] + " is missing");
                }
                page.flip();
                long at = (long) p * PAGE;
                while (page.hasRemaining()) {
                    at += img.write(page, at);
                }
            }
            if (sizePages >= 0) {
                img.truncate(sizePages * PAGE);
            }
            img.force(true);
        }
    }

    /** Records per read when {@link #writeImage} scans the frames file. */
    private static final int SCAN_RECORDS = 256;

    /**
     * Up to {@code max} frames from {@code from} on (4120 bytes each, as sqld's {@code Frame.data}), ending on a commit
     * frame when one lies within the limit. Empty when {@code from} is past the last commit.
     */
    public List<byte[]> read(long from, int max) throws IOException, NeedSnapshotException {
        swap.readLock().lock();
        try {
            long first = snapshot.baseFrameNo() + 1;
            if (from < first) {
                throw new NeedSnapshotException();
            }
            long last = lastCommitFrameNo;
            if (from > last) {
                return List.of();
            }
            int n = (int) Math.min(max, last - from + 1);
            ByteBuffer buf = ByteBuffer.allocate(n * RECORD).order(ByteOrder.LITTLE_ENDIAN);
            WalTail.readFully(frames, buf, (from - first) * RECORD);
            int lastCommitIdx = -1;
            for (int i = 0; i < n; i++) {
                if (buf.getInt(i * RECORD + 20) != 0) {
                    lastCommitIdx = i;
                }
            }
            int take = lastCommitIdx >= 0 ? lastCommitIdx + 1 : n;
            List<byte[]> result = new ArrayList<>(take);
            for (int i = 0; i < take; i++) {
                byte[] f = new byte[FRAME];
                buf.get(i * RECORD, f);
                result.add(f);
            }
            return result;
        } finally {
            swap.readLock().unlock();
        }
    }

    /** The current snapshot, open for reading; close it when done. */
    public SnapshotReader openSnapshot() throws IOException {
        swap.readLock().lock();
        try {
            FileChannel ch = FileChannel.open(snapshot.file(), StandardOpenOption.READ);
            return new SnapshotReader(ch, snapshot.baseFrameNo(), (int) (ch.size() / PAGE));
        } finally {
            swap.readLock().unlock();
        }
    }

    /** Bytes on disk (snapshot and frames). */
    public long diskBytes() {
        swap.readLock().lock();
        try {
            return Files.size(snapshot.file()) + committedBytes;
        } catch (IOException e) {
            return committedBytes;
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (compacting) {
            // a running compaction stops at its next record (its snapshot.tmp is deleted by the next load); one still
            // queued will find the log closed: a reopen never races with this instance's files
        }
        try {
            frames.close();
            wal.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    static String snapshotName(long base, int salt1, int salt2, int walEnd) {
        return String.format("snapshot-%020d-%08x-%08x-%d.db", base, salt1, salt2, walEnd);
    }

    static String segmentName(long first) {
        return String.format("frames-%020d.log", first);
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
