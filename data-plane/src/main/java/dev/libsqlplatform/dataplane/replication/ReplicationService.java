package dev.libsqlplatform.dataplane.replication;

import dev.libsqlplatform.contract.token.Jws;
import dev.libsqlplatform.contract.token.TokenClaims;
import dev.libsqlplatform.dataplane.auth.AuthenticatedCaller;
import dev.libsqlplatform.dataplane.auth.TokenAuthenticator;
import dev.libsqlplatform.dataplane.config.ReplicationProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.storage.DatabaseGoneException;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.FrameLog;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * sqld's {@code wal_log.ReplicationLog} as the {@code libsql} client (embedded replicas) calls it: Hello,
 * BatchLogEntries, Snapshot, served from the database's durable {@link FrameLog}. The invariants that keep the client
 * from hanging or silently skipping data (see the embedded-replica protocol notes):
 * <ul>
 *   <li>Hello's {@code current_replication_index} is always a commit frame BatchLogEntries or Snapshot delivers
 *       (the log's last durable commit; frame 0 is the base image of a fresh log, served as a snapshot).</li>
 *   <li>Frames inside one log id are never skipped, reordered or renumbered; an offset before the log's start gets
 *       {@code NEED_SNAPSHOT}, an offset past its end a typed {@code REPLICA_AHEAD} error (not an empty batch, which
 *       the client would take for success although it holds history the primary does not have).</li>
 *   <li>A deleted database answers {@code NAMESPACE_DOESNT_EXIST}; a bad, expired or revoked token
 *       {@code UNAUTHENTICATED} with the reason, on every call.</li>
 * </ul>
 */
@Service
public class ReplicationService {
    private static final Logger log = LoggerFactory.getLogger(ReplicationService.class);

    /** Who calls: the credentials exactly as they arrived. */
    public record Caller(String authorization, String host, String remoteAddress) {
    }

    /** Receives the messages of a server-streaming answer, one gRPC message each. */
    @FunctionalInterface
    public interface MessageSink {
        void message(byte[] protobuf) throws IOException;
    }

    private final TokenAuthenticator authenticator;
    private final DatabaseRegistry registry;
    private final ReplicationProperties props;
    private final ReplicaTracker tracker;
    /** Stable for the process: the client echoes it and discards prefetched batches when it changes. */
    private final String sessionToken = UUID.randomUUID().toString();
    private final String generationId = UUID.randomUUID().toString();

    ReplicationService(TokenAuthenticator authenticator, DatabaseRegistry registry, ReplicationProperties props,
                       ReplicaTracker tracker) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.props = props;
        this.tracker = tracker;
    }

    /**
     * Authenticates the caller (the {@code GET /info} probe, and every gRPC call before its body is read); throws
     * what a replication call would answer a caller who may not sync.
     */
    public void probe(Caller caller) throws ReplicationException {
        authenticate(caller);
    }

    /** {@code Hello}: the log id and the index of the last durable commit. */
    public byte[] hello(Caller caller, byte[] request) throws ReplicationException {
        AuthenticatedCaller who = authenticate(caller);
        Messages.parseHello(request);
        return withLog(who, fl -> {
            long index = fl.lastCommitFrameNo();
            tracker.handshake(who.dbId(), caller, index);
            return Messages.helloResponse(generationId, fl.logId().toString(), sessionToken, index);
        });
    }

    /** {@code BatchLogEntries}: committed frames from the replica's offset on. */
    public byte[] batchLogEntries(Caller caller, byte[] request) throws ReplicationException {
        AuthenticatedCaller who = authenticate(caller);
        Messages.LogOffset offset = checkFlavor(Messages.LogOffset.parse(request));
        return withLog(who, fl -> {
            long from = offset.nextOffset();
            long last = fl.lastCommitFrameNo();
            if (from > last + 1) {
                throw new ReplicationException(GrpcStatus.FAILED_PRECONDITION, "REPLICA_AHEAD: the replica asks for"
                        + " frame " + from + " but this database's log ends at frame " + last + "; the replica holds"
                        + " history the primary does not have: delete the local replica files and sync again");
            }
            List<byte[]> frames;
            try {
                frames = fl.read(from, Math.max(1, props.maxBatchFrames()));
            } catch (FrameLog.NeedSnapshotException e) {
                throw new ReplicationException(GrpcStatus.FAILED_PRECONDITION, ReplicationException.NEED_SNAPSHOT);
            }
            byte[] answer = Messages.frames(frames);
            long reached = frames.isEmpty() ? from - 1 : frameNo(frames.get(frames.size() - 1));
            tracker.pulled(who.dbId(), caller, reached, last, answer.length);
            return answer;
        });
    }

    /**
     * {@code Snapshot}: every page of the log's base image, one {@code Frame} each, in descending page order, all
     * numbered with the image's commit frame (the client continues after the first frame's number), the database
     * size set on the last frame only (its commit).
     */
    public void snapshot(Caller caller, byte[] request, MessageSink sink) throws ReplicationException, IOException {
        AuthenticatedCaller who = authenticate(caller);
        checkFlavor(Messages.LogOffset.parse(request));
        FrameLog.SnapshotReader snap = withLog(who, fl -> {
            try {
                return fl.openSnapshot();
            } catch (IOException e) {
                log.error("cannot open the snapshot of database {}", who.dbId(), e);
                throw new ReplicationException(GrpcStatus.UNAVAILABLE, "snapshot not available: " + e.getMessage());
            }
        });
        long bytes = 0;
        try (snap) {
            int pages = snap.pages();
            ByteBuffer frame = ByteBuffer.allocate(FrameLog.FRAME).order(ByteOrder.LITTLE_ENDIAN);
            for (int p = pages; p >= 1; p--) {
                frame.clear();
                frame.putLong(snap.baseFrameNo()).putLong(0).putInt(p).putInt(p == 1 ? pages : 0);
                snap.readPage(p, frame);
                byte[] msg = Messages.frame(frame.array());
                sink.message(msg);
                bytes += msg.length;
            }
        }
        tracker.pulled(who.dbId(), caller, snap.baseFrameNo(), -1, bytes);
    }

    /**
     * A database's replication state: its log and every replica seen since the worker started.
     *
     * @param replicationIndex the last durable commit frame (what Hello announces)
     * @param logStartFrameNo  the first frame served from the log; earlier ones only as the snapshot
     * @param lastCommitAt     when the last commit was logged (epoch ms; 0 when none since the log was created)
     * @param logBytes         bytes of snapshot and frames on disk
     */
    public record Status(String logId, long replicationIndex, long logStartFrameNo, long lastCommitAt, long logBytes,
                         List<ReplicaTracker.Replica> replicas) {
    }

    /** The replication state of a database (internal API; no token: the caller checked the service secret). */
    public Status status(String dbId) throws ReplicationException {
        return withLog(new AuthenticatedCaller(dbId, true), fl -> new Status(fl.logId().toString(),
                fl.lastCommitFrameNo(), fl.startFrameNo(), fl.lastCommitMillis(), fl.diskBytes(),
                tracker.replicas(dbId)));
    }

    /** Authenticates a forwarded write (proxy.Proxy) as a replication call. */
    AuthenticatedCaller authenticateForProxy(Caller caller) throws ReplicationException {
        return authenticate(caller);
    }

    /** The last durable commit frame of a database (what a forwarded write's answer reports). */
    long currentFrameNo(String dbId) throws ReplicationException {
        return withLog(new AuthenticatedCaller(dbId, true), FrameLog::lastCommitFrameNo);
    }

    private static long frameNo(byte[] frame) {
        return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static Messages.LogOffset checkFlavor(Messages.LogOffset offset) throws ReplicationException {
        if (offset.walFlavor() != null && offset.walFlavor() != 0) {
            throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, "only the SQLite WAL flavor is served");
        }
        return offset;
    }

    @FunctionalInterface
    private interface LogCall<T> {
        T run(FrameLog log) throws ReplicationException, IOException;
    }

    private <T> T withLog(AuthenticatedCaller who, LogCall<T> call) throws ReplicationException {
        OpenDatabase db;
        try {
            db = registry.lease(who.dbId());
        } catch (DatabaseGoneException e) {
            throw new ReplicationException(GrpcStatus.FAILED_PRECONDITION, ReplicationException.NAMESPACE_DOESNT_EXIST);
        } catch (SQLException e) {
            log.error("cannot open database {} for replication", who.dbId(), e);
            throw new ReplicationException(GrpcStatus.UNAVAILABLE, "the database cannot be opened: " + e.getMessage());
        }
        try {
            FrameLog fl = db.frameLog();
            if (fl == null) {
                throw new ReplicationException(GrpcStatus.UNAVAILABLE,
                        "replication is switched off on this worker (platform.worker.replication.enabled=false)");
            }
            return call.run(fl);
        } catch (IOException e) {
            log.error("reading the frame log of database {} failed", who.dbId(), e);
            throw new ReplicationException(GrpcStatus.UNAVAILABLE, "the frame log cannot be read: " + e.getMessage());
        } finally {
            db.release();
        }
    }

    /**
     * The token decides access as for SQL (read-only tokens may sync). A token naming a database this worker deleted
     * gets {@code NAMESPACE_DOESNT_EXIST}; every other refusal {@code UNAUTHENTICATED} (or PERMISSION_DENIED) with
     * the reason.
     */
    private AuthenticatedCaller authenticate(Caller caller) throws ReplicationException {
        AuthenticatedCaller who;
        try {
            who = authenticator.authenticate(caller.authorization(), caller.host(), caller.remoteAddress());
        } catch (ApiException e) {
            if (registry.wasDeleted(claimedId(caller.authorization()))) {
                throw new ReplicationException(GrpcStatus.FAILED_PRECONDITION,
                        ReplicationException.NAMESPACE_DOESNT_EXIST);
            }
            GrpcStatus status = switch (e.code()) {
                case FORBIDDEN, PERMISSION_DENIED -> GrpcStatus.PERMISSION_DENIED;
                default -> GrpcStatus.UNAUTHENTICATED;
            };
            throw new ReplicationException(status, e.getMessage());
        }
        if (who.blockReads()) {
            throw new ReplicationException(GrpcStatus.PERMISSION_DENIED, "reads are blocked for this database"
                    + (who.blockReason() == null ? "" : ": " + who.blockReason()));
        }
        return who;
    }

    /** The {@code id} claim of an unverified token (only to tell "deleted" from "bad token"), or null. */
    private static String claimedId(String authorization) {
        if (authorization == null) {
            return null;
        }
        String v = authorization.trim();
        if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            v = v.substring(7).trim();
        }
        try {
            TokenClaims claims = Jws.decode(v).claims();
            return claims.id();
        } catch (Exception e) {
            return null;
        }
    }
}
