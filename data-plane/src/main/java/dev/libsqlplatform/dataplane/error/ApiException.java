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

    /**
     * The {@link ApiException} among {@code e}'s causes, or null: a request body's own failure (too large, too slow,
     * broken off: {@code http.RequestBodies}) arrives wrapped by the JSON parser and by Spring.
     */
    public static ApiException causeOf(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
        }
        return null;
    }
}
