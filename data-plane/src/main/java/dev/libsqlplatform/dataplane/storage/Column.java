package dev.libsqlplatform.dataplane.storage;

/** A result column: its name and declared type (null for expressions), as SQLite reports them. */
public record Column(String name, String decltype) {
}
