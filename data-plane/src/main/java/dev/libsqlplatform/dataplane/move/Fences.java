package dev.libsqlplatform.dataplane.move;

import dev.libsqlplatform.dataplane.storage.DatabaseBusyException;
import dev.libsqlplatform.dataplane.storage.DatabaseGoneException;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.DbConnection;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import dev.libsqlplatform.dataplane.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * The source side's write fence of a move: the database's single writer is taken and kept (with a lease, so the LRU
 * cannot close it), so nothing commits after the fenced frame. Writes meanwhile wait for the writer as behind any
 * transaction and, after {@code busy-timeout}, get {@code SQLITE_BUSY} (retryable; never acknowledged). The fence
 * ends with {@link #unfence} (the move was abandoned: writes resume) or {@link #delete} (the move completed: the
 * writer is handed to the close, so the waiting writes find the database gone).
 *
 * <p>A fence survives a restart of the source: it is written to {@code dbs/<id>/move-fence} (fsynced) before it is
 * answered, kept at a graceful shutdown, and taken again at start before the web server accepts requests. Otherwise a
 * source restarted between the target's final catch-up and the route switch would acknowledge writes the target never
 * gets, and the switch would lose them.
 */
@Component
public class Fences implements DisposableBean, SmartInitializingSingleton {
    /** The marker of a fence in the database's folder; it holds the fenced commit's frame number. */
    static final String MARKER = "move-fence";

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
        try {
            DurableFiles.writeAtomically(db.folder().resolve(MARKER),
                    Long.toString(frameNo).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            db.releaseWriter(writer);
            db.release();
            throw new MoveException("database " + id + " cannot be fenced: its fence marker cannot be written: " + e);
        }
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
            // the marker first: once writes resume, a restart must not fence the database again
            Files.deleteIfExists(f.db().folder().resolve(MARKER));
            DurableFiles.fsyncDir(f.db().folder());
        } catch (IOException e) {
            held.put(id, f);
            throw new UncheckedIOException("database " + id + ": its fence marker cannot be removed", e);
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

    /** At shutdown the writers are let go but the markers stay: the fences are taken again at the next start. */
    @Override
    public synchronized void destroy() {
        for (Fence f : held.values()) {
            try {
                f.db().releaseWriter(f.writer());
            } finally {
                f.db().release();
            }
        }
        held.clear();
    }

    /** Fences again, before requests are served, every database whose fence a restart interrupted. */
    @Override
    public void afterSingletonsInstantiated() {
        for (String id : registry.ids()) {
            Path folder = registry.folderOf(id);
            if (folder == null || !Files.exists(folder.resolve(MARKER))) {
                continue;
            }
            try {
                long frameNo = fence(id);
                log.warn("database {} fenced again at frame {} after a restart: its move is still under way", id,
                        frameNo);
            } catch (Exception e) {
                throw new IllegalStateException("database " + id + " was fenced for a move before this restart and "
                        + "cannot be fenced again; not serving it unfenced", e);
            }
        }
    }
}
