package dev.libsqlplatform.dataplane.storage;

/** A pushed transaction was refused before anything was written: it is malformed, corrupt, or over the quota. */
public final class PushRejectedException extends Exception {
    /** Why. */
    public enum Reason {
        /** The pages do not form a valid transaction on this database (sizes, page numbers, header). */
        MALFORMED,
        /** The database with the transaction applied fails {@code PRAGMA integrity_check}. */
        CORRUPT,
        /** The database would grow past its storage limit ({@code max_page_count}). */
        STORAGE_FULL
    }

    private final Reason reason;

    PushRejectedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
