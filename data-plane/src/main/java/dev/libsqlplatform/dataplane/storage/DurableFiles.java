package dev.libsqlplatform.dataplane.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files that survive a crash whole or not at all: written to a temp file, fsynced, renamed over the target, the
 * directory fsynced. A reader after {@code kill -9} or a power cut sees the old content or the new, never a torn one.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** How {@link #open} opens a file: {@link FileChannel#open} unless a test injects I/O faults (a full disk). */
    interface Opener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    static volatile Opener opener = FileChannel::open;

    /**
     * Opens a channel the frame log appends to and fsyncs: the one seam where tests make writes and flushes fail the
     * way a full disk does, to check that nothing is acknowledged that is not durable.
     */
    static FileChannel open(Path file, OpenOption... options) throws IOException {
        return opener.open(file, options);
    }

    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path dir = file.getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDir(dir);
    }

    /** Makes a rename or delete in {@code dir} durable. */
    public static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can fsync a directory
        }
    }
}
