package dev.libsqlplatform.dataplane.storage;

/** The database does not exist on this worker (never created, or deleted meanwhile). */
public final class DatabaseGoneException extends Exception {
    public DatabaseGoneException(String id) {
        super("database " + id + " does not exist on this worker", null, false, false);
    }
}
