package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import jakarta.servlet.RequestDispatcher;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.catalina.connector.Response;
import org.apache.coyote.ActionCode;
import org.apache.coyote.BadRequestException;

/**
 * Request body failures that Tomcat raises while our code reads a body, made answerable by this worker's own error
 * mapping ({@link ErrorResponses}), on both connectors and on both the valve and the Spring MVC paths.
 *
 * <p>Why it is needed: when a body read fails (timeout, malformed chunked encoding, premature end, reset), Tomcat's
 * {@code InputBuffer.handleReadException} calls {@code sendError(408 or 400)} itself before the exception reaches us.
 * {@code sendError} suspends the response (whatever we write afterwards is swallowed) and flags it for an error
 * report; the valve path then answered a bare 408/400 with no body, and the Spring MVC path got Tomcat's error page
 * dispatch, that is Spring Boot's default error JSON ({@code timestamp, status, error, path}). {@link #reclaim}
 * undoes exactly that (the response is not committed yet: nothing was written), so the one answer is ours.
 *
 * <p>The Catalina response is not reachable from the servlet facade, so {@link HranaPipelineValve} (the first valve of
 * the engine, in front of every request) publishes it for the request thread with {@link #enter}/{@link #exit}.
 * Bodies are read synchronously on that thread: by {@link RequestBodies}, directly or, for bodies Spring MVC reads
 * itself, through {@link BoundedBodyFilter}.
 *
 * <p>Relies on Tomcat internals that are public API of its classes but not of the Servlet spec:
 * {@code Response.reset/setSuspended/isError}, {@code ActionCode.DISABLE_SWALLOW_INPUT}, {@code ClientAbortException},
 * {@code BadRequestException}.
 * {@code BodyReadTransportTest} drives every case on both connectors, so a Tomcat upgrade that changes them fails there.
 */
final class TomcatBodyErrors {
    private static final ThreadLocal<Response> CURRENT = new ThreadLocal<>();

    /** Why a body read failed, as far as the client can be told. */
    enum Failure {
        /** No byte within the connector's read timeout. */
        TIMEOUT,
        /** The framing is invalid: malformed chunked encoding, chunk extensions or trailers over Tomcat's bounds. */
        MALFORMED,
        /** The client closed its side before the declared length (or the end chunk) arrived. */
        TRUNCATED,
        /** The connection failed (reset): nobody may be left to read the answer. */
        CONNECTION_LOST
    }

    private TomcatBodyErrors() {
    }

    /** The request this thread serves from now on (engine valve, before anything reads the body). */
    static void enter(Response response) {
        CURRENT.set(response);
    }

    static void exit() {
        CURRENT.remove();
    }

    /** Classifies an exception from a servlet input stream read (Tomcat wraps most in {@link ClientAbortException}). */
    static Failure classify(IOException e) {
        if (e instanceof BadRequestException && !(e instanceof ClientAbortException)) {
            return Failure.MALFORMED; // the chunked filter's own error, passed on unwrapped
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return Failure.TIMEOUT;
            }
            if (t instanceof EOFException) {
                return Failure.TRUNCATED;
            }
            if (t instanceof BadRequestException && !(t instanceof ClientAbortException)) {
                return Failure.MALFORMED;
            }
        }
        return Failure.CONNECTION_LOST;
    }

    /** A body that ended (the client closed its side) before its declared length or its last chunk. */
    static ApiException truncated() {
        return new ApiException(ErrorCode.BAD_REQUEST,
                "the request body ended before its declared length (or its last chunk)");
    }

    /** The answer to a failed body read: {@code tooSlow} for a timeout, else 400 with what went wrong. */
    static ApiException error(IOException e, ApiException tooSlow) {
        return switch (classify(e)) {
            case TIMEOUT -> tooSlow;
            case MALFORMED -> new ApiException(ErrorCode.BAD_REQUEST,
                    "the request body's chunked transfer encoding is malformed");
            case TRUNCATED -> truncated();
            case CONNECTION_LOST -> new ApiException(ErrorCode.BAD_REQUEST,
                    "the connection failed while the request body was read");
        };
    }

    /**
     * Before an error answer: when the request's body has not been read to its end (a request refused from its headers,
     * such as a 401, or one whose body failed), the connection is closed after the answer instead of draining the rest.
     * Tomcat would otherwise keep the request thread reading ("swallowing") a body that may never come, up to its read
     * timeout, after the answer went out: a client without credentials could hold request threads that way. A body
     * read whole keeps the connection alive.
     */
    static void noDrainOfUnreadBody() {
        Response response = CURRENT.get();
        if (response != null && !response.getRequest().getCoyoteRequest().isFinished()) {
            response.getRequest().getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
            // said in the answer: Tomcat announces the close itself only for the statuses it always closes after
            // (400, 408, 413...), and a client that is not told reuses the connection for its next request
            response.setHeader("Connection", "close");
        }
    }

    /**
     * Prepares the request for our answer to a body it will not read further: undoes Tomcat's own error answer to a
     * failed read (see the class comment; a no-op when Tomcat did not flag the response, or when the response is
     * committed already, when nothing consistent can be answered anyway), so that the exception we throw next is
     * answered by {@link ErrorResponses}, once; and closes the connection after that answer without draining the rest
     * of the body ({@code DISABLE_SWALLOW_INPUT}, Tomcat's own action for aborted uploads). Draining would wait on the
     * slow client again, and on NIO2 after a {@link BodyReadWatchdog} interrupt it would hit the read still pending on
     * the channel ({@code ReadPendingException}).
     */
    static void reclaim() {
        Response response = CURRENT.get();
        if (response == null) {
            return;
        }
        response.getRequest().getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
        if (!response.isError() || response.isCommitted()) {
            return;
        }
        response.reset(); // status, headers, buffer and the error-report flag
        response.setSuspended(false); // sendError's suspension: what we write next would be swallowed
        // else the host valve and Tomcat's error report valve render the exception as an error page
        response.getRequest().removeAttribute(RequestDispatcher.ERROR_EXCEPTION);
    }
}
