package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.hrana.HranaJson;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * reads the body only then). Spring MVC reaches it as an advice, {@link HranaPipelineValve} (which runs before
 * Spring MVC) through {@link #write}; both go through {@link #answer}. Errors of single statements are not HTTP
 * errors: they are Hrana errors inside a 200 response ({@code hrana.HranaError}).
 */
@RestControllerAdvice
class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    /** What an exception is answered with. */
    record Answer(int status, String code, String message) {
        private static Answer of(ErrorCode code, String message) {
            return new Answer(code.httpStatus(), code.name(), message);
        }
    }

    /** The mapping: every exception that ends a request, whichever way the request came in. */
    static Answer answer(Throwable e) {
        if (e instanceof ApiException api) {
            return Answer.of(api.code(), api.getMessage());
        }
        if (e instanceof HttpMessageNotReadableException) {
            ApiException body = ApiException.causeOf(e);
            if (body != null) {
                return Answer.of(body.code(), body.getMessage());
            }
            return Answer.of(ErrorCode.BAD_REQUEST, "the request body is not valid JSON for this endpoint");
        }
        if (e instanceof HttpRequestMethodNotSupportedException m) {
            return new Answer(405, "METHOD_NOT_ALLOWED", "method " + m.getMethod() + " is not supported here");
        }
        if (e instanceof NoResourceFoundException) {
            return Answer.of(ErrorCode.NOT_FOUND, "no such route");
        }
        log.error("unexpected error", e);
        return Answer.of(ErrorCode.INTERNAL_ERROR, "internal error: " + e.getClass().getSimpleName());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> handle(Exception e) {
        TomcatBodyErrors.noDrainOfUnreadBody();
        Answer a = answer(e);
        return ResponseEntity.status(a.status())
                .header(HttpHeaders.CONTENT_TYPE, HranaController.JSON)
                .body(json(a.message(), a.code()));
    }

    /** The same answer as the advice gives, written straight to a servlet response (the lean pipeline path). */
    static void write(HttpServletResponse resp, Throwable e) throws IOException {
        Answer a = answer(e);
        if (resp.isCommitted()) {
            return; // part of a body is out already: nothing consistent can be added
        }
        TomcatBodyErrors.noDrainOfUnreadBody();
        byte[] body = json(a.message(), a.code());
        resp.resetBuffer();
        resp.setStatus(a.status());
        resp.setContentType(HranaController.JSON);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    static byte[] json(String message, String code) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        HranaJson.writeErrorBody(message, code, out);
        return out.toByteArray();
    }
}
