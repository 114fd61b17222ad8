package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.hrana.HranaJson;
import java.io.ByteArrayOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The ONE place where errors become HTTP responses: status from {@link ErrorCode}, body
 * {@code {"message", "code"}}, Content-Type exactly {@code application/json} (no charset: @libsql/client
 * reads the body only then).
 */
@RestControllerAdvice
class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<byte[]> api(ApiException e) {
        return body(e.code(), e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<byte[]> unreadable(HttpMessageNotReadableException e) {
        return body(ErrorCode.BAD_REQUEST, "the request body is not valid JSON for this endpoint");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e) {
        return ResponseEntity.status(405).header(HttpHeaders.CONTENT_TYPE, HranaController.JSON)
                .body(json("method " + e.getMethod() + " is not supported here", "METHOD_NOT_ALLOWED"));
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<byte[]> notFound(NoResourceFoundException e) {
        return body(ErrorCode.NOT_FOUND, "no such route");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e) {
        log.error("unexpected error", e);
        return body(ErrorCode.INTERNAL_ERROR, "internal error: " + e.getClass().getSimpleName());
    }

    static ResponseEntity<byte[]> body(ErrorCode code, String message) {
        return ResponseEntity.status(code.httpStatus())
                .header(HttpHeaders.CONTENT_TYPE, HranaController.JSON)
                .body(json(message, code.name()));
    }

    /** The same answer as {@link #body}, written straight to a servlet response (the lean pipeline path). */
    static void write(jakarta.servlet.http.HttpServletResponse resp, ErrorCode code, String message)
            throws java.io.IOException {
        if (resp.isCommitted()) {
            return; // part of a body is out already: nothing consistent can be added
        }
        byte[] body = json(message, code.name());
        resp.resetBuffer();
        resp.setStatus(code.httpStatus());
        resp.setContentType(HranaController.JSON);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    private static byte[] json(String message, String code) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        HranaJson.writeErrorBody(message, code, out);
        return out.toByteArray();
    }
}
