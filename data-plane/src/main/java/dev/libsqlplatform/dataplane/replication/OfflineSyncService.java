package dev.libsqlplatform.dataplane.replication;

import dev.libsqlplatform.dataplane.auth.AuthenticatedCaller;
import dev.libsqlplatform.dataplane.config.ReplicationProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.storage.DatabaseBusyException;
import dev.libsqlplatform.dataplane.storage.DatabaseGoneException;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.FrameLog;
import dev.libsqlplatform.dataplane.storage.FrameLogException;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import dev.libsqlplatform.dataplane.storage.PushConflictException;
import dev.libsqlplatform.dataplane.storage.PushRejectedException;
import dev.libsqlplatform.dataplane.storage.PushedCommit;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The {@code libsql} client's offline sync (HTTP protocol v2, {@code offline: true}): {@code /info},
 * {@code /export/G}, pulls {@code GET /sync/G/start/end} and pushes {@code POST /sync/G/start/end[/baton]}, served
 * from the database's frame log ({@link Generations} maps the protocol's generations onto its snapshots).
 *
 * <p>Never silent: a pull answers frames, the end of a generation ({@code 400 {"generation": N}}, the protocol's only
 * use of 400), or a typed error with a status the client does not take for the end of a generation (410, 409, 416).
 * A push is applied only when it extends the primary's history (its first frame follows the primary's last commit in
 * the same generation), one transaction at a time, atomically; otherwise it is refused with {@code conflict}, never
 * merged. A push that repeats frames the primary already logged (a lost answer, a retry) is recognised byte for byte
 * and not applied twice.
 */
@Service
public class OfflineSyncService {
    private static final Logger log = LoggerFactory.getLogger(OfflineSyncService.class);
    /** A pushed frame: 24-byte SQLite WAL frame header and one page. */
    public static final int FRAME = 24 + FrameLog.PAGE;
    /** Pages of one pushed transaction kept between requests (a baton) before it is refused: 256 MiB. */
    static final int MAX_PENDING_PAGES = 65536;
    /** A baton left unused this long is dropped with its uncommitted frames. */
    static final long PENDING_IDLE_MILLIS = 5 * 60_000L;

    /** A pull's answer: WAL frames, or the end of the generation with the current generation number. */
    public sealed interface Pull permits Frames, EndOfGeneration {
    }

    public record Frames(byte[] walFrames) implements Pull {
    }

    public record EndOfGeneration(long currentGeneration) implements Pull {
    }

    /** A push's answer (the protocol's JSON fields). */
    public record PushResult(boolean conflict, long generation, long maxFrameNo, String baton) {
    }

    /** Frames of a transaction whose commit frame has not arrived yet, waiting under a baton. */
    private static final class Pending {
        final String dbId;
        final long generation;
        /** Position (within the generation) of the transaction's first frame. */
        final long txnStart;
        final List<PushedCommit.Page> pages = new ArrayList<>();
        long nextPosition;
        volatile long touched = System.currentTimeMillis();

        Pending(String dbId, long generation, long txnStart) {
            this.dbId = dbId;
            this.generation = generation;
            this.txnStart = txnStart;
        }
    }

    private final ReplicationService replication;
    private final DatabaseRegistry registry;
    private final ReplicationProperties props;
    private final ReplicaTracker tracker;
    private final ConcurrentHashMap<String, Pending> batons = new ConcurrentHashMap<>();

    OfflineSyncService(ReplicationService replication, DatabaseRegistry registry, ReplicationProperties props,
                       ReplicaTracker tracker) {
        this.replication = replication;
        this.registry = registry;
        this.props = props;
        this.tracker = tracker;
    }

    /** {@code GET /info}: the current generation. */
    public long info(ReplicationService.Caller caller) {
        AuthenticatedCaller who = authenticate(caller);
        return withLog(who, (db, fl) -> last(Generations.sync(db.folder(), fl)).number());
    }

    /** Receives an export: its size first, then the pages. */
    public interface ExportSink {
        OutputStream begin(long bytes) throws IOException;
    }

    /** {@code GET /export/G}: the database as of the start of generation G (the log's snapshot). */
    public void export(ReplicationService.Caller caller, String generation, ExportSink sink) throws IOException {
        AuthenticatedCaller who = authenticate(caller);
        long g = number(generation, "generation");
        FrameLog.SnapshotReader snap = withLog(who, (db, fl) -> {
            Generations.Generation cur = last(Generations.sync(db.folder(), fl));
            if (g != cur.number()) {
                throw gone(g, cur.number());
            }
            FrameLog.SnapshotReader r = fl.openSnapshot();
            if (r.baseFrameNo() != cur.base()) { // compacted meanwhile
                r.close();
                throw gone(g, cur.number() + 1);
            }
            return r;
        });
        long bytes = (long) snap.pages() * FrameLog.PAGE;
        try (snap) {
            OutputStream out = sink.begin(bytes);
            ByteBuffer page = ByteBuffer.allocate(FrameLog.PAGE);
            for (int p = 1; p <= snap.pages(); p++) {
                page.clear();
                snap.readPage(p, page);
                out.write(page.array(), 0, FrameLog.PAGE);
            }
        }
        tracker.pulled(who.dbId(), caller, snap.baseFrameNo(), -1, bytes);
    }

    /** {@code GET /sync/G/start/end}: frames {@code [start, end)} of generation G. */
    public Pull pull(ReplicationService.Caller caller, String generation, String start, String end) {
        AuthenticatedCaller who = authenticate(caller);
        long g = number(generation, "generation");
        long from = number(start, "start frame");
        long to = endFrame(from, end);
        return withLog(who, (db, fl) -> {
            for (int attempt = 0; ; attempt++) {
                List<Generations.Generation> all = Generations.sync(db.folder(), fl);
                Generations.Generation cur = last(all);
                Generations.Generation gen = locate(all, cur, g, fl);
                long reached = gen.base() + from - 1;
                if (gen != cur) {
                    Generations.Generation next = Generations.find(all, g + 1);
                    if (next != null && next.logId().equals(gen.logId()) && reached == next.base()) {
                        return new EndOfGeneration(cur.number());
                    }
                    throw new ApiException(ErrorCode.SYNC_GENERATION_GONE, "frames " + from + ".. of generation " + g
                            + " no longer exist on the primary (the log was compacted into generation "
                            + cur.number() + "): delete the local replica files (the database and its -info file)"
                            + " and open it again");
                }
                long last = fl.lastCommitFrameNo();
                if (reached == last) {
                    return new EndOfGeneration(g);
                }
                if (reached > last) {
                    throw new ApiException(ErrorCode.SYNC_REPLICA_AHEAD, "the replica asks for frame " + from
                            + " of generation " + g + " but the primary's generation ends at frame "
                            + (last - gen.base()) + ": the replica holds history the primary does not have; delete"
                            + " the local replica files and open it again");
                }
                List<byte[]> frames;
                try {
                    frames = fl.read(reached + 1, (int) Math.min(to - from, Math.max(1, props.maxBatchFrames())));
                } catch (FrameLog.NeedSnapshotException compacted) {
                    if (attempt == 0) {
                        continue; // a compaction started a new generation meanwhile: map it and answer for it
                    }
                    throw new ApiException(ErrorCode.SYNC_GENERATION_GONE, "generation " + g + " was compacted");
                }
                byte[] body = new byte[frames.size() * FRAME];
                int at = 0;
                for (byte[] f : frames) {
                    ByteBuffer src = ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    ByteBuffer dst = ByteBuffer.wrap(body, at, FRAME); // big-endian: SQLite's WAL frame header
                    dst.putInt(src.getInt(16)).putInt(src.getInt(20));
                    System.arraycopy(f, 24, body, at + 24, FrameLog.PAGE);
                    at += FRAME;
                }
                tracker.pulled(who.dbId(), caller, reached + frames.size(), last, body.length);
                return new Frames(body);
            }
        });
    }

    /** Whether the caller may push at all (checked before the body is read, and again by {@link #push}). */
    public AuthenticatedCaller authorizePush(ReplicationService.Caller caller) {
        AuthenticatedCaller who = authenticate(caller);
        if (who.readOnly()) {
            throw new ApiException(ErrorCode.PERMISSION_DENIED, "this token is read-only: it may pull, not push");
        }
        if (who.blockWrites()) {
            throw new ApiException(ErrorCode.BLOCKED, "writes are blocked for this database"
                    + (who.blockReason() == null ? "" : ": " + who.blockReason()));
        }
        return who;
    }

    /** {@code POST /sync/G/start/end[/baton]}: raw local WAL frames {@code [start, end)} of generation G. */
    public PushResult push(ReplicationService.Caller caller, String generation, String start, String end,
                           String baton, byte[] body) {
        AuthenticatedCaller who = authorizePush(caller);
        long g = number(generation, "generation");
        long from = number(start, "start frame");
        long to = endFrame(from, end);
        if (body.length % FRAME != 0 || (long) body.length / FRAME != to - from) {
            throw new ApiException(ErrorCode.SYNC_BAD_FRAMES, "the range [" + from + ", " + to + ") announces "
                    + (to - from) + " frames of " + FRAME + " bytes (a 24-byte header and a " + FrameLog.PAGE
                    + "-byte page: this database's page size), the body has " + body.length + " bytes");
        }
        expireBatons();
        return withLog(who, (db, fl) -> {
            List<Generations.Generation> all = Generations.sync(db.folder(), fl);
            Generations.Generation cur = last(all);
            if (g != cur.number()) {
                return new PushResult(true, cur.number(), 0, null);
            }
            int n = body.length / FRAME;
            Pending pending = baton == null ? null : batons.remove(baton);
            if (pending != null && (!pending.dbId.equals(who.dbId()) || pending.generation != g
                    || pending.nextPosition != from)) {
                pending = null; // another database's, or not the continuation: its frames are dropped
            }
            int first = 0;
            if (pending == null) {
                long lastPos = fl.lastCommitFrameNo() - cur.base();
                if (from > lastPos + 1) {
                    // the frames before `from` never became a commit here (a baton expired, the worker restarted):
                    // "lower" makes the client send again from lastPos + 1
                    return new PushResult(false, g, lastPos, null);
                }
                if (from <= lastPos) {
                    int repeated = (int) Math.min(n, lastPos - from + 1);
                    if (!alreadyLogged(fl, cur.base() + from, body, repeated)) {
                        return new PushResult(true, g, lastPos, null);
                    }
                    first = repeated;
                    if (first == n) {
                        tracker.pulled(who.dbId(), caller, cur.base() + to - 1, fl.lastCommitFrameNo(), 0);
                        return new PushResult(false, g, to - 1, null);
                    }
                }
                pending = new Pending(who.dbId(), g, from + first);
            }
            pending.nextPosition = from + first;
            for (int i = first; i < n; i++) {
                ByteBuffer h = ByteBuffer.wrap(body, i * FRAME, 8);
                int pageNo = h.getInt();
                int sizeAfter = h.getInt();
                pending.pages.add(new PushedCommit.Page(pageNo,
                        Arrays.copyOfRange(body, i * FRAME + 24, (i + 1) * FRAME)));
                pending.nextPosition++;
                if (pending.pages.size() > MAX_PENDING_PAGES) {
                    throw new ApiException(ErrorCode.SYNC_BAD_FRAMES, "one pushed transaction holds more than "
                            + MAX_PENDING_PAGES + " pages");
                }
                if (sizeAfter != 0) {
                    try {
                        db.applyPushed(cur.base() + pending.txnStart - 1,
                                new PushedCommit(List.copyOf(pending.pages), sizeAfter));
                    } catch (PushConflictException e) {
                        return new PushResult(true, g, e.lastCommitFrameNo() - cur.base(), null);
                    }
                    pending = new Pending(who.dbId(), g, pending.nextPosition);
                    pending.nextPosition = pending.txnStart;
                }
            }
            tracker.pulled(who.dbId(), caller, fl.lastCommitFrameNo(), fl.lastCommitFrameNo(), body.length);
            String next = null;
            if (!pending.pages.isEmpty()) {
                next = UUID.randomUUID().toString();
                pending.touched = System.currentTimeMillis();
                batons.put(next, pending);
            }
            return new PushResult(false, g, to - 1, next);
        });
    }

    /** Whether the {@code count} pushed frames from log frame {@code fromFrameNo} on are the ones logged there. */
    private static boolean alreadyLogged(FrameLog fl, long fromFrameNo, byte[] body, int count)
            throws IOException {
        long frameNo = fromFrameNo;
        int i = 0;
        while (i < count) {
            List<byte[]> logged;
            try {
                logged = fl.read(frameNo, count - i);
            } catch (FrameLog.NeedSnapshotException e) {
                return false;
            }
            if (logged.isEmpty()) {
                return false;
            }
            for (byte[] f : logged) {
                if (i == count) {
                    break;
                }
                ByteBuffer lh = ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                ByteBuffer ph = ByteBuffer.wrap(body, i * FRAME, 8);
                int pageNo = ph.getInt();
                if (lh.getInt(16) != pageNo || lh.getInt(20) != ph.getInt()) {
                    return false;
                }
                int at = i * FRAME + 24;
                // page 1: SQLite stamps its own version number (bytes 96-99) into the header at each commit
                boolean same = pageNo == 1
                        ? Arrays.equals(f, 24, 24 + 96, body, at, at + 96)
                          && Arrays.equals(f, 24 + 100, 24 + FrameLog.PAGE, body, at + 100, at + FrameLog.PAGE)
                        : Arrays.equals(f, 24, 24 + FrameLog.PAGE, body, at, at + FrameLog.PAGE);
                if (!same) {
                    return false;
                }
                i++;
                frameNo++;
            }
        }
        return true;
    }

    private void expireBatons() {
        long cutoff = System.currentTimeMillis() - PENDING_IDLE_MILLIS;
        batons.values().removeIf(p -> p.touched < cutoff);
    }

    /** Generation {@code g} of the map when it belongs to the current log; typed errors otherwise. */
    private static Generations.Generation locate(List<Generations.Generation> all, Generations.Generation cur,
                                                 long g, FrameLog fl) {
        if (g > cur.number()) {
            throw new ApiException(ErrorCode.SYNC_REPLICA_AHEAD, "generation " + g + " does not exist: the primary is"
                    + " at generation " + cur.number() + "; delete the local replica files and open it again");
        }
        Generations.Generation gen = Generations.find(all, g);
        if (gen == null || !gen.logId().equals(fl.logId())) {
            throw gone(g, cur.number());
        }
        return gen;
    }

    private static ApiException gone(long g, long current) {
        return new ApiException(ErrorCode.SYNC_GENERATION_GONE, "generation " + g + " no longer exists on the primary"
                + " (it is at generation " + current + "; the history the replica is based on was compacted or"
                + " rewritten): delete the local replica files (the database and its -info file) and open it again");
    }

    private static Generations.Generation last(List<Generations.Generation> all) {
        return all.get(all.size() - 1);
    }

    /** A path number of the protocol: 1 ..= 2^32 - 1 (the client's u32). */
    /** The end of the frame range {@code [from, end)} a sync URL names: a frame number past {@code from}. */
    private static long endFrame(long from, String end) {
        long to = number(end, "end frame");
        if (to <= from) {
            throw new ApiException(ErrorCode.SYNC_BAD_RANGE, "the range [" + from + ", " + to + ") holds no frame");
        }
        return to;
    }

    private static long number(String text, String what) {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.SYNC_BAD_RANGE, "the " + what + " '" + text + "' is not a number");
        }
        if (v < 1 || v > 0xFFFFFFFFL) {
            throw new ApiException(ErrorCode.SYNC_BAD_RANGE, "the " + what + " " + v + " is outside 1..4294967295");
        }
        return v;
    }

    @FunctionalInterface
    private interface LogCall<T> {
        T run(OpenDatabase db, FrameLog log) throws IOException, PushRejectedException, DatabaseBusyException,
                SQLException;
    }

    private <T> T withLog(AuthenticatedCaller who, LogCall<T> call) {
        OpenDatabase db;
        try {
            db = registry.lease(who.dbId());
        } catch (DatabaseGoneException e) {
            throw new ApiException(ErrorCode.NAMESPACE_DOESNT_EXIST, "the database does not exist (any more)");
        } catch (SQLException e) {
            log.error("cannot open database {} for offline sync", who.dbId(), e);
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, "the database cannot be opened: " + e.getMessage());
        }
        try {
            FrameLog fl = db.frameLog();
            if (fl == null) {
                throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE,
                        "replication is switched off on this worker (platform.worker.replication.enabled=false)");
            }
            return call.run(db, fl);
        } catch (PushRejectedException e) {
            throw new ApiException(e.reason() == PushRejectedException.Reason.STORAGE_FULL
                    ? ErrorCode.SYNC_STORAGE_FULL : ErrorCode.SYNC_BAD_FRAMES, e.getMessage());
        } catch (DatabaseBusyException e) {
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, e.getMessage());
        } catch (FrameLogException e) {
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, e.getMessage());
        } catch (IOException | SQLException e) {
            log.error("offline sync of database {} failed", who.dbId(), e);
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "offline sync failed: " + e.getMessage());
        } finally {
            db.release();
        }
    }

    /** The same authentication as the gRPC replication calls, answered as HTTP errors. */
    private AuthenticatedCaller authenticate(ReplicationService.Caller caller) {
        try {
            return replication.authenticateForProxy(caller);
        } catch (ReplicationException e) {
            ErrorCode code = switch (e.status()) {
                case UNAUTHENTICATED -> ErrorCode.UNAUTHORIZED;
                case PERMISSION_DENIED -> ErrorCode.FORBIDDEN;
                default -> ErrorCode.NAMESPACE_DOESNT_EXIST;
            };
            throw new ApiException(code, e.getMessage());
        }
    }
}
