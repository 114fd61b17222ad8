package dev.libsqlplatform.dataplane.storage;

/** The single writer (or every reader) stayed busy for longer than the busy timeout. */
public final class DatabaseBusyException extends Exception {
    public DatabaseBusyException(String message) {
        super(message, null, false, false);
    }
}
