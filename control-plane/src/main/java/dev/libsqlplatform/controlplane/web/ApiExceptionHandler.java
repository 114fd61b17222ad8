package dev.libsqlplatform.controlplane.web;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one place where failures become HTTP answers. Client mistakes are never a 500: unreadable JSON,
 * wrong parameter types, missing parameters, unknown routes, wrong methods and media types all map to
 * an {@link ApiError}. Platform API routes answer {@code {"error","code"}}; internal routes answer the
 * worker contract's {@code {"message","code"}}.
 */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> api(ApiException e, HttpServletRequest request) {
        return answer(e.error(), e.getMessage(), request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        return answer(ApiError.MALFORMED_JSON, "invalid request body: malformed JSON", request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return answer(ApiError.BAD_REQUEST, "invalid value for parameter " + e.getName(), request);
    }

    @ExceptionHandler({ServletRequestBindingException.class, MethodArgumentNotValidException.class,
            HandlerMethodValidationException.class, MultipartException.class, IllegalArgumentException.class,
            // a form content type makes Spring read the body as parameters: the firewall refuses odd names, and
            // Tomcat refuses bytes that are not valid in the request's charset
            RequestRejectedException.class, org.apache.tomcat.util.http.InvalidParameterException.class})
    ResponseEntity<Object> badRequest(Exception e, HttpServletRequest request) {
        String message = e instanceof ServletRequestBindingException ? e.getMessage() : "invalid request";
        return answer(ApiError.BAD_REQUEST, message, request);
    }

    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
    ResponseEntity<Object> notFound(Exception e, HttpServletRequest request) {
        return answer(ApiError.NOT_FOUND, "no route " + request.getMethod() + " " + request.getRequestURI(), request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Object> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return answer(ApiError.METHOD_NOT_ALLOWED, "method " + e.getMethod() + " not allowed", request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return answer(ApiError.UNSUPPORTED_MEDIA_TYPE, "unsupported content type " + e.getContentType(), request);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<Object> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
        return answer(ApiError.NOT_ACCEPTABLE, "only application/json is produced", request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        log.error("unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        return answer(ApiError.INTERNAL, "internal error", request);
    }

    static ResponseEntity<Object> answer(ApiError error, String message, HttpServletRequest request) {
        return ResponseEntity.status(error.status()).contentType(MediaType.APPLICATION_JSON)
                .body(body(error, message, request.getRequestURI()));
    }

    /** Shared with the security entry points so 401/403 have exactly the same shape. */
    public static Object body(ApiError error, String message, String path) {
        if (path != null && path.startsWith("/internal/")) {
            Map<String, String> internal = new LinkedHashMap<>();
            internal.put("message", message);
            internal.put("code", error.code().toUpperCase(java.util.Locale.ROOT));
            return internal;
        }
        return ErrorBody.of(error, message);
    }
}
