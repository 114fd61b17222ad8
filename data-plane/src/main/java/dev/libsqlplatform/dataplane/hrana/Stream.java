package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.storage.DbConnection;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import dev.libsqlplatform.dataplane.storage.ResultBudget;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Hrana stream: a lease on its database, its stored SQL texts, and — while a transaction is open —
 * the connection that holds it (the writer, or a reader for READONLY transactions). Used by one
 * request at a time; the baton table hands it from request to request.
 */
final class Stream {
    static final int MAX_STORED_SQL = 50;

    final OpenDatabase db;
    final Map<Integer, String> sqls = new HashMap<>();
    final ReentrantLock lock = new ReentrantLock();
    Access access;
    DbConnection held;
    /** When the held connection's transaction began ({@link System#nanoTime()}); meaningful while held. */
    long heldSinceNanos;
    /** Result bytes the request being served may still produce (set per request). */
    ResultBudget budget = ResultBudget.unlimited();
    volatile long lastUsedNanos = System.nanoTime();
    private boolean closed;

    private final Runnable onClose;

    Stream(OpenDatabase db, Access access, Runnable onClose) {
        this.db = db;
        this.access = access;
        this.onClose = onClose;
    }

    /** Keeps {@code c}, whose transaction is open, for the stream's next requests. */
    void hold(DbConnection c) {
        if (held != c) {
            held = c;
            heldSinceNanos = System.nanoTime();
        }
    }

    boolean isAutocommit() {
        return held == null || !held.inTransaction();
    }

    boolean isClosed() {
        return closed;
    }

    /** Gives back the held connection; an open transaction is rolled back by the connection reset. */
    void releaseConnection() {
        DbConnection c = held;
        held = null;
        if (c != null) {
            if (c.isReader()) {
                db.releaseReader(c);
            } else {
                db.releaseWriter(c);
            }
        }
    }

    /** Rolls back, releases the connection and the database lease. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        sqls.clear();
        releaseConnection();
        db.release();
        onClose.run();
    }
}
