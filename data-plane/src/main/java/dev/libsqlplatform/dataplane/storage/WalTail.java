package dev.libsqlplatform.dataplane.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads committed frames out of a database's {@code -wal} file, the way Litestream does: from the position the
 * frame log has reached, frame by frame while the salts match and the checksum chain holds, and only up to the
 * last commit frame. The position is (salts of the WAL generation, frames consumed); a WAL whose header carries
 * other salts was restarted after a complete checkpoint, which only happens once everything before was logged,
 * so it is read from its first frame.
 *
 * <p>The {@code -wal} file stays open across commits (one descriptor per open database): SQLite truncates it at a
 * TRUNCATE checkpoint but deletes it only when the database's last connection closes, and the frame log closes this
 * tail before that (the writer connection lives as long as the log). Frames are read into a per-thread direct buffer:
 * no copy through the JDK's temporary buffers, and no per-database buffer kept between commits.
 *
 * <p>Only the holder of the writer permit calls it (or the database's opener, before anyone else can).
 */
final class WalTail implements Closeable {
    static final int WAL_HEADER = 32;
    static final int FRAME_HEADER = 24;
    static final int PAGE = OpenDatabase.PAGE_SIZE;
    static final int WAL_FRAME = FRAME_HEADER + PAGE;
    private static final int MAGIC_LE = 0x377f0682;
    private static final int MAGIC_BE = 0x377f0683;
    private static final int CHUNK_FRAMES = 16;
    /** Scratch for reading frames: used only during one call, by the thread holding the writer permit. */
    private static final ThreadLocal<ByteBuffer> CHUNK = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(CHUNK_FRAMES * WAL_FRAME));
    /** Scratch for one frame's checksum, as {@link #CHUNK}. */
    private static final ThreadLocal<int[]> WORDS = ThreadLocal.withInitial(() -> new int[WAL_FRAME / 4]);

    /** One committed WAL frame as handed to the log. */
    interface Sink {
        /**
         * @param pageNo     the frame's page
         * @param commitSize database size in pages after the commit on a commit frame, else 0
         * @param page       the page image (position..limit = 4096 bytes); valid during the call only
         * @param walEnd     WAL frames consumed once this frame is
         */
        void frame(int pageNo, int commitSize, ByteBuffer page, int walEnd) throws IOException;

        /** The frames handed since the last commit are not committed: drop them. */
        void discardUncommitted() throws IOException;
    }

    private final Path walFile;
    private int salt1;
    private int salt2;
    /** Frames of the current generation already handed to the log (all of them up to a commit). */
    private int consumed;
    /** Checksum state after frame {@code consumed - 1} (or of the WAL header); valid when {@link #chainKnown}. */
    private int s0;
    private int s1;
    private boolean chainKnown;
    /** Byte order of the checksums (from the header's magic), known once a header was read. */
    private boolean bigEndian;
    private final ByteBuffer header = ByteBuffer.allocate(WAL_HEADER);
    /** The open WAL, or null while the file does not exist yet. */
    private FileChannel ch;

    WalTail(Path walFile, int salt1, int salt2, int consumed) {
        this.walFile = walFile;
        this.salt1 = salt1;
        this.salt2 = salt2;
        this.consumed = consumed;
    }

    int salt1() {
        return salt1;
    }

    int salt2() {
        return salt2;
    }

    /** Frames of the current WAL generation already logged (SQLite's own count since the last restart). */
    int consumed() {
        return consumed;
    }

    /** A position of this tail ({@link #mark}), to go back to when what was read from it could not be logged. */
    record Mark(int salt1, int salt2, int consumed, int s0, int s1, boolean chainKnown) {
    }

    Mark mark() {
        return new Mark(salt1, salt2, consumed, s0, s1, chainKnown);
    }

    /**
     * Goes back to {@code m}: the frames read since were not made durable in the log (a failed write or fsync), so the
     * next {@link #read} hands them again.
     */
    void reset(Mark m) {
        salt1 = m.salt1();
        salt2 = m.salt2();
        consumed = m.consumed();
        s0 = m.s0();
        s1 = m.s1();
        chainKnown = m.chainKnown();
    }

    /**
     * Hands every frame committed since the last call to {@code sink}, in order; frames after the last commit frame
     * are handed and then discarded. Returns the number of commits found.
     */
    int read(Sink sink) throws IOException {
        FileChannel ch = channel();
        if (ch == null || !readHeader(ch)) {
            return 0;
        }
        int h1 = header.getInt(16);
        int h2 = header.getInt(20);
        if (h1 != salt1 || h2 != salt2) {
            salt1 = h1;
            salt2 = h2;
            consumed = 0;
            chainKnown = false;
        }
        if (!chainKnown) {
            if (!checksum(header, 0, 24, bigEndian, 0, 0, true)) {
                return 0;
            }
            int logged = consumed;
            if (logged > 0 && replayChain(ch) < logged) {
                // same WAL generation, but it no longer holds the frames the log took from it: the WAL lost frames
                // after the last point the frame log knows to be durable, which recovery at open puts back
                // (FrameLog#restoreWal) before any connection exists. Reading on would skip every later commit
                // silently; refuse instead (the writes that follow fail loudly), and keep the position
                consumed = logged;
                throw new IOException("the WAL of " + walFile + " holds fewer valid frames than the " + logged
                        + " the frame log already took from it: database and log disagree; move the log folder"
                        + " away to rebuild it from the database (replicas then rebuild too)");
            }
            chainKnown = true;
        }
        return scan(ch, sink);
    }

    /** How the WAL on disk compares with the position the log reached ({@link #check}). */
    enum Check {
        /** Same generation, every frame up to the log's position is there (more may follow). */
        HOLDS_LOGGED,
        /** Same generation, but frames after {@link #consumed()} (lowered to the last intact commit) are gone. */
        SHORT,
        /** A valid header of another generation: SQLite restarted the WAL, after a complete checkpoint. */
        RESTARTED,
        /** No WAL, or no valid header. */
        ABSENT
    }

    /**
     * Before any connection is open: compares the WAL with the position this tail starts from. On {@link Check#SHORT}
     * the position is lowered to the last commit still intact, from where {@link #restore} puts the rest back.
     */
    Check check() throws IOException {
        FileChannel ch = channel();
        if (ch == null || !readHeader(ch) || !checksum(header, 0, 24, bigEndian, 0, 0, true)) {
            close();
            return Check.ABSENT;
        }
        if (header.getInt(16) != salt1 || header.getInt(20) != salt2) {
            return Check.RESTARTED;
        }
        int logged = consumed;
        int intact = replayChain(ch);
        chainKnown = true;
        return intact >= logged ? Check.HOLDS_LOGGED : Check.SHORT;
    }

    /**
     * Before any connection is open: writes frames at the WAL positions after {@link #consumed()}, continuing the
     * checksum chain, and fsyncs them. Given the frames the log took from these positions, the bytes are exactly those
     * SQLite wrote there (same header fields, same chain), so SQLite's own recovery then finds the commits again.
     *
     * @param frames one call per frame: fills {@code page} (4096 bytes) and returns {pageNo, commitSize}
     */
    void restore(int count, FrameSource frames) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(WAL_FRAME);
        try (FileChannel w = FileChannel.open(walFile, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                frame.clear();
                frame.position(FRAME_HEADER);
                int[] meta = frames.next(frame);
                frame.putInt(0, meta[0]).putInt(4, meta[1]).putInt(8, salt1).putInt(12, salt2);
                frameChecksum(frame, 0, bigEndian, s0, s1);
                frame.putInt(16, lastS0).putInt(20, lastS1);
                s0 = lastS0;
                s1 = lastS1;
                frame.clear();
                long pos = WAL_HEADER + (long) consumed * WAL_FRAME;
                while (frame.hasRemaining()) {
                    pos += w.write(frame, pos);
                }
                consumed++;
            }
            w.force(false);
        }
    }

    /** Supplies the frames {@link #restore} writes. */
    interface FrameSource {
        int[] next(ByteBuffer page) throws IOException;
    }

    /** Makes every frame written so far durable (compaction: frames before a snapshot's WAL position stay readable). */
    void force() throws IOException {
        FileChannel ch = channel();
        if (ch != null) {
            ch.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        if (ch != null) {
            ch.close();
            ch = null;
        }
    }

    private FileChannel channel() throws IOException {
        if (ch == null) {
            try {
                ch = FileChannel.open(walFile, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return null;
            }
        }
        return ch;
    }

    /** Reads the WAL header; false when there is none (or not one of a WAL). */
    private boolean readHeader(FileChannel ch) throws IOException {
        header.clear();
        if (readFully(ch, header, 0) < WAL_HEADER) {
            return false;
        }
        header.flip();
        int magic = header.getInt(0);
        if (magic != MAGIC_LE && magic != MAGIC_BE) {
            return false;
        }
        if (header.getInt(8) != PAGE) {
            throw new IOException("the WAL of " + walFile + " has page size " + header.getInt(8) + ", not " + PAGE);
        }
        bigEndian = magic == MAGIC_BE;
        return true;
    }

    /**
     * Recomputes the checksum chain over the frames already consumed (after a restart of the worker), the chain state
     * starting from the header's (set by the header check). Returns how many of them are intact up to a commit frame;
     * when fewer than all, the position is lowered to that commit.
     */
    private int replayChain(FileChannel ch) throws IOException {
        ByteBuffer chunk = CHUNK.get();
        int c0 = s0;
        int c1 = s1;
        int goodCommit = 0;
        int g0 = c0;
        int g1 = c1;
        int i = 0;
        outer:
        while (i < consumed) {
            int n = Math.min(CHUNK_FRAMES, consumed - i);
            chunk.clear().limit(n * WAL_FRAME);
            int got = readFully(ch, chunk, WAL_HEADER + (long) i * WAL_FRAME) / WAL_FRAME;
            for (int k = 0; k < got; k++) {
                int base = k * WAL_FRAME;
                if (chunk.getInt(base + 8) != salt1 || chunk.getInt(base + 12) != salt2
                        || !frameChecksum(chunk, base, bigEndian, c0, c1)) {
                    break outer;
                }
                c0 = lastS0;
                c1 = lastS1;
                if (chunk.getInt(base + 4) != 0) {
                    goodCommit = i + k + 1;
                    g0 = c0;
                    g1 = c1;
                }
            }
            if (got < n) {
                break;
            }
            i += n;
        }
        consumed = goodCommit;
        s0 = g0;
        s1 = g1;
        return goodCommit;
    }

    private int scan(FileChannel ch, Sink sink) throws IOException {
        ByteBuffer chunk = CHUNK.get();
        int commits = 0;
        int idx = consumed;
        int c0 = s0;
        int c1 = s1;
        boolean pending = false;
        outer:
        while (true) {
            chunk.clear();
            int got = readFully(ch, chunk, WAL_HEADER + (long) idx * WAL_FRAME);
            int n = got / WAL_FRAME;
            if (n == 0) {
                break;
            }
            for (int k = 0; k < n; k++) {
                int base = k * WAL_FRAME;
                if (chunk.getInt(base + 8) != salt1 || chunk.getInt(base + 12) != salt2
                        || !frameChecksum(chunk, base, bigEndian, c0, c1)) {
                    break outer;
                }
                c0 = lastS0;
                c1 = lastS1;
                int pageNo = chunk.getInt(base);
                int commitSize = chunk.getInt(base + 4);
                idx++;
                chunk.limit(base + WAL_FRAME).position(base + FRAME_HEADER);
                sink.frame(pageNo, commitSize, chunk, idx);
                chunk.clear();
                pending = true;
                if (commitSize != 0) {
                    commits++;
                    consumed = idx;
                    s0 = c0;
                    s1 = c1;
                    pending = false;
                }
            }
            if (n < CHUNK_FRAMES) {
                break;
            }
        }
        if (pending) {
            sink.discardUncommitted();
        }
        return commits;
    }

    private int lastS0;
    private int lastS1;

    /** Verifies the checksum of the frame at {@code base} chained from (c0, c1); leaves the result in lastS0/1. */
    private boolean frameChecksum(ByteBuffer b, int base, boolean bigEndian, int c0, int c1) {
        // the frame's words copied out in one bulk get (a memcpy in the native order), then summed over a plain int[]:
        // getInt per word on the direct buffer (bounds check, byte-order conversion) was a seventh of the worker's Java
        // samples under 16-client inserts, every committed frame being checked once when it is captured
        int[] words = WORDS.get();
        ByteBuffer frame = b.duplicate().position(base).limit(base + WAL_FRAME).slice()
                .order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        frame.asIntBuffer().get(words);
        int a0 = c0;
        int a1 = c1;
        a0 += words[0] + a1;
        a1 += words[1] + a0;
        for (int i = FRAME_HEADER / 4; i < words.length; i += 2) {
            a0 += words[i] + a1;
            a1 += words[i + 1] + a0;
        }
        lastS0 = a0;
        lastS1 = a1;
        frame.order(ByteOrder.BIG_ENDIAN); // the stored checksum is big-endian whatever the WAL's checksum order
        return a0 == frame.getInt(16) && a1 == frame.getInt(20);
    }

    /** Checks the WAL header's checksum and starts the chain from it. */
    private boolean checksum(ByteBuffer b, int from, int len, boolean bigEndian, int c0, int c1, boolean startChain) {
        b.order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int a0 = c0;
        int a1 = c1;
        for (int i = from; i < from + len; i += 8) {
            a0 += b.getInt(i) + a1;
            a1 += b.getInt(i + 4) + a0;
        }
        b.order(ByteOrder.BIG_ENDIAN);
        boolean ok = a0 == b.getInt(from + len) && a1 == b.getInt(from + len + 4);
        if (ok && startChain) {
            s0 = a0;
            s1 = a1;
        }
        return ok;
    }

    static int readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
