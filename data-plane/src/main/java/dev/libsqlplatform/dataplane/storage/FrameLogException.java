package dev.libsqlplatform.dataplane.storage;

/**
 * A commit could not be appended to the database's frame log (disk full, I/O error). The write is not acknowledged:
 * its frames stay in the WAL (nothing unlogged is checkpointed) and later writes are refused until the log has
 * caught up.
 */
public final class FrameLogException extends RuntimeException {
    FrameLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
