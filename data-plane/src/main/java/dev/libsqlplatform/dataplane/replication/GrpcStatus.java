package dev.libsqlplatform.dataplane.replication;

/** The gRPC status codes replication answers with (numbers as in grpc/status.proto). */
public enum GrpcStatus {
    OK(0),
    INVALID_ARGUMENT(3),
    PERMISSION_DENIED(7),
    RESOURCE_EXHAUSTED(8),
    FAILED_PRECONDITION(9),
    UNIMPLEMENTED(12),
    INTERNAL(13),
    UNAVAILABLE(14),
    UNAUTHENTICATED(16);

    private final int code;

    GrpcStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
