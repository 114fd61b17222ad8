package dev.libsqlplatform.controlplane.database;

/** Events of the database lifecycle, published inside the transaction that caused them. */
public final class DatabaseEvents {

    private DatabaseEvents() {
    }

    /** A database row was inserted in state provisioning. */
    public record Created(String databaseId) {
    }

    /** What the worker must know (keys, limits) changed. */
    public record ConfigChanged(String databaseId) {
    }

    /** One or more databases were marked deleting. */
    public record Deleted(String databaseId) {
    }
}
