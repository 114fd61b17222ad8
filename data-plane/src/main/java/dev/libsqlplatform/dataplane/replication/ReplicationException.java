package dev.libsqlplatform.dataplane.replication;

/**
 * A replication call that fails with a gRPC status. The messages the {@code libsql} client dispatches on are exact
 * constants ({@link #NEED_SNAPSHOT}, {@link #NAMESPACE_DOESNT_EXIST}); every other message reaches the caller verbatim.
 */
public final class ReplicationException extends Exception {
    /** The replica must fetch the snapshot (its offset lies before the log's start). */
    public static final String NEED_SNAPSHOT = "NEED_SNAPSHOT";
    /** The database does not exist (any more): the client turns this into {@code NamespaceDoesntExist}. */
    public static final String NAMESPACE_DOESNT_EXIST = "NAMESPACE_DOESNT_EXIST";

    private final GrpcStatus status;

    public ReplicationException(GrpcStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public GrpcStatus status() {
        return status;
    }
}
