package dev.libsqlplatform.controlplane.web;

/** A client-visible failure; the one {@link ApiExceptionHandler} turns it into {@code {"error","code"}}. */
public class ApiException extends RuntimeException {

    private final ApiError error;

    public ApiException(ApiError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
