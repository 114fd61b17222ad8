package dev.libsqlplatform.controlplane.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an {@link ApiError} outside Spring MVC (security entry points, {@code database.DatabaseGetValve}), in the
 * same shape as the advice.
 */
public final class ErrorResponses {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorResponses() {
    }

    public static void write(HttpServletResponse response, HttpServletRequest request, ApiError error, String message)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(error.status().value());
        response.setContentType("application/json");
        response.getOutputStream().write(JSON.writeValueAsBytes(
                ApiExceptionHandler.body(error, message, request.getRequestURI())));
    }

    /**
     * What {@link ApiExceptionHandler} answers for {@code e}, for code that answers before Spring MVC: the same body,
     * and the same framing (its message converter flushes the body, so the answer goes out chunked, without a
     * Content-Length).
     */
    public static void writeHandled(HttpServletResponse response, HttpServletRequest request, ApiException e)
            throws IOException {
        write(response, request, e.error(), e.getMessage());
        response.flushBuffer();
    }
}
