package dev.libsqlplatform.dataplane.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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
 * <p>Only the holder of the writer permit calls it (or the database's opener, before anyone else can).
 */
final class WalTail {
    static final int WAL_HEADER = 32;
    static final int FRAME_HEADER = 24;
    static final int PAGE = OpenDatabase.PAGE_SIZE;
    static final int WAL_FRAME = FRAME_HEADER + PAGE;
    private static final int MAGIC_LE = 0x377f0682;
    private static final int MAGIC_BE = 0x377f0683;
    private static final int CHUNK_FRAMES = 64;

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
    private final ByteBuffer header = ByteBuffer.allocate(WAL_HEADER);
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FRAMES * WAL_FRAME);

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

    /**
     * Hands every frame committed since the last call to {@code sink}, in order; frames after the last commit frame
     * are handed and then discarded. Returns the number of commits found.
     */
    int read(Sink sink) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(walFile, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return 0;
        }
        try (ch) {
            header.clear();
            if (readFully(ch, header, 0) < WAL_HEADER) {
                return 0;
            }
            header.flip();
            int magic = header.getInt(0);
            if (magic != MAGIC_LE && magic != MAGIC_BE) {
                return 0;
            }
            if (header.getInt(8) != PAGE) {
                throw new IOException("the WAL of " + walFile + " has page size " + header.getInt(8) + ", not " + PAGE);
            }
            boolean bigEndian = magic == MAGIC_BE;
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
                if (consumed > 0 && !replayChain(ch, bigEndian)) {
                    // same WAL generation, but it no longer holds the frames the log took from it: the WAL lost
                    // fsynced frames (only possible without synchronous=FULL, or a damaged disk). Reading on would
                    // skip every later commit silently; refuse instead (the writes that follow fail loudly)
                    throw new IOException("the WAL of " + walFile + " holds fewer valid frames than the " + consumed
                            + " the frame log already took from it: database and log disagree; move the log folder"
                            + " away to rebuild it from the database (replicas then rebuild too)");
                }
                chainKnown = true;
            }
            return scan(ch, bigEndian, sink);
        }
    }

    /** Recomputes the checksum chain over the frames already consumed (after a restart of the worker). */
    private boolean replayChain(FileChannel ch, boolean bigEndian) throws IOException {
        int c0 = s0;
        int c1 = s1;
        int i = 0;
        while (i < consumed) {
            int n = Math.min(CHUNK_FRAMES, consumed - i);
            chunk.clear().limit(n * WAL_FRAME);
            if (readFully(ch, chunk, WAL_HEADER + (long) i * WAL_FRAME) < n * WAL_FRAME) {
                return false;
            }
            for (int k = 0; k < n; k++) {
                int base = k * WAL_FRAME;
                if (chunk.getInt(base + 8) != salt1 || chunk.getInt(base + 12) != salt2
                        || !frameChecksum(chunk, base, bigEndian, c0, c1)) {
                    return false;
                }
                c0 = lastS0;
                c1 = lastS1;
            }
            i += n;
        }
        s0 = c0;
        s1 = c1;
        return true;
    }

    private int scan(FileChannel ch, boolean bigEndian, Sink sink) throws IOException {
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
                chunk.limit(chunk.capacity());
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
        ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        b.order(order);
        try {
            int a0 = c0;
            int a1 = c1;
            a0 += b.getInt(base) + a1;
            a1 += b.getInt(base + 4) + a0;
            int end = base + WAL_FRAME;
            for (int i = base + FRAME_HEADER; i < end; i += 8) {
                a0 += b.getInt(i) + a1;
                a1 += b.getInt(i + 4) + a0;
            }
            lastS0 = a0;
            lastS1 = a1;
            b.order(ByteOrder.BIG_ENDIAN);
            return a0 == b.getInt(base + 16) && a1 == b.getInt(base + 20);
        } finally {
            b.order(ByteOrder.BIG_ENDIAN);
        }
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

    static boolean exists(Path walFile) {
        return Files.exists(walFile);
    }
}
