package dev.libsqlplatform.dataplane.move;

import dev.libsqlplatform.dataplane.storage.DatabaseBusyException;
import dev.libsqlplatform.dataplane.storage.DatabaseGoneException;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.DbConnection;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The source side's write fence of a move: the database's single writer is taken and kept (with a lease, so the LRU
 * cannot close it), so nothing commits after the fenced frame. Writes meanwhile wait for the writer as behind any
 * transaction and, after {@code busy-timeout}, get {@code SQLITE_BUSY} (retryable; never acknowledged). The fence
 * ends with {@link #unfence} (the move was abandoned: writes resume) or {@link #delete} (the move completed: the
 * writer is handed to the close, so the waiting writes find the database gone). It lives in memory only: a restart
 * of the source lifts it, and the control plane then fences again and sees another frame number if anything was
 * written meanwhile (the target catches up again before the route switches).
 */
@Component
public class Fences implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(Fences.class);

    private record Fence(OpenDatabase db, DbConnection writer, long frameNo, long since) {
    }

    private final DatabaseRegistry registry;
    private final Map<String, Fence> held = new ConcurrentHashMap<>();

    Fences(DatabaseRegistry registry) {
        this.registry = registry;
    }

    /** Fences the database (idempotent) and answers the commit no write can pass. */
    public synchronized long fence(String id) throws DatabaseGoneException, DatabaseBusyException, SQLException,
            MoveException {
        Fence f = held.get(id);
        if (f != null) {
            return f.frameNo();
        }
        OpenDatabase db = registry.lease(id);
        DbConnection writer;
        try {
            if (db.frameLog() == null) {
                throw new MoveException("database " + id + " cannot be moved: this worker runs without a frame log "
                        + "(platform.worker.replication.enabled=false)");
            }
            writer = db.acquireWriter();
        } catch (RuntimeException | SQLException | DatabaseBusyException | MoveException e) {
            db.release();
            throw e;
        }
        // every commit is in the frame log before its writer is released (OpenDatabase.releaseWriter)
        long frameNo = db.frameLog().lastCommitFrameNo();
        held.put(id, new Fence(db, writer, frameNo, System.nanoTime()));
        log.info("database {} fenced for a move at frame {}: writes wait until it has moved", id, frameNo);
        return frameNo;
    }

    /** Lifts the fence (the move was abandoned); false when none was held. */
    public synchronized boolean unfence(String id) {
        Fence f = held.remove(id);
        if (f == null) {
            return false;
        }
        try {
            f.db().releaseWriter(f.writer());
        } finally {
            f.db().release();
        }
        log.info("database {} unfenced after {} ms: the move was abandoned, writes resume", id,
                (System.nanoTime() - f.since()) / 1_000_000);
        return true;
    }

    /** Whether the database is fenced now. */
    public boolean isFenced(String id) {
        return held.containsKey(id);
    }

    /**
     * Removes the database from this worker (the internal {@code DELETE}); a fenced one with its writer handed to the
     * close. True when it existed.
     */
    public synchronized boolean delete(String id) throws IOException {
        Fence f = held.remove(id);
        try {
            return registry.delete(id, f != null);
        } finally {
            if (f != null) {
                f.db().release();
                log.info("database {} removed after its move ({} ms fenced)", id,
                        (System.nanoTime() - f.since()) / 1_000_000);
            }
        }
    }

    @Override
    public synchronized void destroy() {
        for (String id : held.keySet().toArray(String[]::new)) {
            unfence(id);
        }
    }
}
