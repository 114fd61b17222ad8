package dev.libsqlplatform.dataplane.error;

/** An error that ends an HTTP request with {@code {"message", "code"}}. The message must be safe to show. */
public final class ApiException extends RuntimeException {
    private final ErrorCode code;

    public ApiException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
