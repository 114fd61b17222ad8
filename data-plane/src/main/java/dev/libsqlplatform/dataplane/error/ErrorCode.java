package dev.libsqlplatform.dataplane.error;

/**
 * Every error this worker answers at the HTTP level, with its status. The single mapping to HTTP is
 * {@code http.ErrorResponses}; protocol-level (in-pipeline) errors reuse the same codes where they overlap.
 */
public enum ErrorCode {
    UNAUTHORIZED(401),
    PERMISSION_DENIED(403),
    /** The caller's address is not in the database's {@code allowedIps}. */
    FORBIDDEN(403),
    NAMESPACE_DOESNT_EXIST(404),
    STREAM_EXPIRED(400),
    HRANA_PROTO_ERROR(400),
    BAD_REQUEST(400),
    NOT_FOUND(404),
    BLOCKED(403),
    /** More requests and batch steps in one pipeline than platform.worker.limits.max-pipeline-steps. */
    PIPELINE_TOO_LONG(400),
    /** The body is longer than platform.worker.limits.max-request-bytes. */
    PAYLOAD_TOO_LARGE(413),
    /** The body did not arrive within platform.worker.limits.body-read-timeout. */
    REQUEST_TIMEOUT(408),
    /** The database has platform.worker.limits.max-streams-per-database open streams already. */
    TOO_MANY_STREAMS(429),
    /** Hrana over WebSocket: the database or the token has its maximum of open connections (WebSocketProperties). */
    TOO_MANY_CONNECTIONS(429),
    /**
     * Internal API: the database's hostname label {@code <name>-<organization>} is held by another database on this
     * worker. Routing by label must never be ambiguous, so the put is refused instead of re-pointing the label.
     */
    LABEL_CONFLICT(409),
    /** Internal move API: the frames asked for lie before the source's frame log; copy its snapshot first. */
    NEED_SNAPSHOT(409),
    /** Internal move API: the copy cannot be completed as asked (the source passed its fence, replication is off). */
    MOVE_FAILED(409),
    /**
     * The database exists but cannot be served now: the worker hosting it is down (missed its heartbeats), does not
     * answer a forwarded request, or the database is still being placed. Retry later; never a 401 (the token is fine).
     */
    DATABASE_UNAVAILABLE(503),
    /**
     * Internal, between workers only: a request another worker forwarded here (it carries the service secret) names a
     * database this worker does not host, typically because it moved away and the forwarding worker's route is stale.
     * Nothing was executed; the forwarding worker forgets the route, asks the control plane again and retries once.
     * Never answered to a request without the service secret (a tenant gets 401 as for any unknown database, so
     * nothing about other databases leaks), and never passed on to a client.
     */
    DATABASE_NOT_HERE(421),
    /*
     * Offline sync (HTTP protocol v2). The libsql client takes any 400 or 500 on a pull for "end of generation", so
     * these use other statuses: each reaches the caller as an error with this body.
     */
    /** A generation, or frames of it, that the primary no longer has (compacted, or its history was rewritten). */
    SYNC_GENERATION_GONE(410),
    /** The replica asks for frames or a generation the primary does not have yet: it holds history the primary lost. */
    SYNC_REPLICA_AHEAD(409),
    /** A {@code /sync/{generation}/{start}/{end}} path whose numbers are not a valid range. */
    SYNC_BAD_RANGE(416),
    /** Pushed frames that are not a valid transaction on this database (sizes, pages, integrity). */
    SYNC_BAD_FRAMES(422),
    /** A push would grow the database past its storage limit. */
    SYNC_STORAGE_FULL(403),
    INTERNAL_ERROR(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
