package dev.libsqlplatform.dataplane.storage;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many threads wait right now for a database's writer. The request thread pool reads it to tell a blocked
 * pool from a busy one: the writer may be held by a stream's open transaction whose next request (its COMMIT)
 * is queued behind the waiting threads, so a thread must be added; while threads only run (or wait for a reader
 * connection, which a running request gives back), adding threads would only add switching.
 */
public final class BlockedWaits {
    private static final AtomicInteger WAITING = new AtomicInteger();

    private BlockedWaits() {
    }

    public static int now() {
        return WAITING.get();
    }

    static void begin() {
        WAITING.incrementAndGet();
    }

    static void end() {
        WAITING.decrementAndGet();
    }
}
