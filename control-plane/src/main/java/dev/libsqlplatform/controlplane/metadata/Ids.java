package dev.libsqlplatform.controlplane.metadata;

import java.util.UUID;

/** Identifiers are generated in Java (TEXT columns): the same on PostgreSQL and SQLite. */
public final class Ids {

    private Ids() {
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    public static long now() {
        return System.currentTimeMillis();
    }
}
