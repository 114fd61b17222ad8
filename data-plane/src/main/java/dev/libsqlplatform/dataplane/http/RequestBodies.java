package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.config.HttpTransportProperties;
import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Request bodies under the worker's limits: at most max-request-bytes, arriving within body-read-timeout of when
 * reading starts. The one body reader of every controller, of {@link HranaPipelineValve}, and (through
 * {@link BoundedBodyFilter}) of Spring MVC's own {@code @RequestBody} reads, so every bad or slow body gets the same
 * answer on every path and connector: {@code 413 PAYLOAD_TOO_LARGE}, {@code 408 REQUEST_TIMEOUT}, or
 * {@code 400 BAD_REQUEST} (malformed chunked encoding, a body shorter than declared, a connection lost mid-body), always
 * as an {@link ApiException} for {@link ErrorResponses}, with Tomcat's own error answer undone
 * ({@link TomcatBodyErrors}). The Hrana and replication controllers read it only after the caller is authenticated,
 * so a client without a valid token never holds a request thread with a slow body.
 *
 * <p>The deadline: on NIO one blocked read is bounded by the connector's read timeout (set to body-read-timeout in
 * {@link LeanPipelineConfig}) and the deadline is checked around every read, so a trickling body overruns it by one
 * read at most. On NIO2 Tomcat's read timeout would close the connection, so it is set further out and
 * {@link BodyReadWatchdog} ends a read blocked at the deadline itself.
 */
@Component
final class RequestBodies implements DisposableBean {
    private final long maxBytes;
    private final long timeoutNanos;
    /** Null on NIO, which needs none. */
    private final BodyReadWatchdog watchdog;

    RequestBodies(LimitsProperties limits, HttpTransportProperties transport) {
        this.maxBytes = limits.maxRequestBytes().toBytes();
        this.timeoutNanos = limits.bodyReadTimeout().toNanos();
        this.watchdog = transport.connector() == HttpTransportProperties.Connector.NIO2 ? new BodyReadWatchdog() : null;
    }

    long maxBytes() {
        return maxBytes;
    }

    /**
     * The request's declared body length (-1 when none): Tomcat refuses two Content-Length headers with an
     * IllegalArgumentException, which is the client's mistake, not ours (was a 500).
     */
    static long declaredLength(HttpServletRequest req) {
        try {
            return req.getContentLengthLong();
        } catch (IllegalArgumentException e) {
            TomcatBodyErrors.reclaim(); // the body's end is unknown: the connection closes after the answer
            throw new ApiException(ErrorCode.BAD_REQUEST, "the request has more than one Content-Length header");
        }
    }

    /** Refuses a declared length over the limit before reading anything. */
    void checkDeclaredLength(long contentLength) {
        if (contentLength > maxBytes) {
            TomcatBodyErrors.reclaim(); // the unread body is not drained: the connection closes after the 413
            throw tooLarge();
        }
    }

    /** A body of known, small length, read whole. */
    byte[] readAll(InputStream in, int length) throws IOException {
        checkDeclaredLength(length);
        Body body = bounded(in);
        try {
            return body.readNBytes(length);
        } finally {
            body.finish();
        }
    }

    /** The whole body of a request (at most max-request-bytes), read until its end. */
    byte[] readAll(HttpServletRequest req) throws IOException {
        Body body = body(req);
        try {
            return body.readAllBytes();
        } finally {
            body.finish();
        }
    }

    /** The body of a request as a stream under the limits (see {@link #bounded}). */
    InputStream stream(HttpServletRequest req) throws IOException {
        return body(req);
    }

    /** The request's body, bounded once: {@link BoundedBodyFilter} may have bounded it already. */
    private Body body(HttpServletRequest req) throws IOException {
        InputStream in = req.getInputStream();
        if (in instanceof BodyServletStream bounded) {
            return bounded.body;
        }
        checkDeclaredLength(declaredLength(req));
        return bounded(in);
    }

    /** The request's body under the limits as a servlet stream, for Spring MVC's own readers ({@code @RequestBody}). */
    ServletInputStream servletStream(HttpServletRequest req) throws IOException {
        InputStream in = req.getInputStream();
        if (in instanceof BodyServletStream bounded) {
            return bounded;
        }
        checkDeclaredLength(declaredLength(req));
        return new BodyServletStream(bounded(in));
    }

    /** Blocking reads only: the worker's controllers read bodies synchronously. */
    static final class BodyServletStream extends ServletInputStream {
        private final Body body;
        private boolean finished;

        private BodyServletStream(Body body) {
            this.body = body;
        }

        @Override
        public int read() throws IOException {
            int b = body.read();
            finished |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = body.read(b, off, len);
            finished |= n < 0;
            return n;
        }

        @Override
        public int available() throws IOException {
            return body.available();
        }

        @Override
        public void close() throws IOException {
            body.close();
        }

        @Override
        public boolean isFinished() {
            return finished;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new IllegalStateException("non-blocking reads of a bounded request body are not supported");
        }
    }

    /**
     * The body as a stream that fails with an {@link ApiException} (never an {@link IOException}: a JSON parser would
     * turn that into a parse error) past the limit, past the deadline, and on any read failure.
     */
    Body bounded(InputStream in) {
        long deadline = System.nanoTime() + timeoutNanos;
        return new Body(in, deadline, watchdog == null ? null : watchdog.guard(deadline));
    }

    @Override
    public void destroy() {
        if (watchdog != null) {
            watchdog.close();
        }
    }

    /** One request body under the limits. */
    final class Body extends FilterInputStream {
        private final long deadline;
        private final BodyReadWatchdog.Guard guard;
        private long read;

        private Body(InputStream in, long deadline, BodyReadWatchdog.Guard guard) {
            super(in);
            this.deadline = deadline;
            this.guard = guard;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (System.nanoTime() - deadline > 0) {
                throw answer(tooSlow());
            }
            if (guard == null || len == 0 || buffered()) {
                int n;
                try {
                    n = in.read(b, off, len);
                } catch (IOException e) {
                    throw failed(e);
                }
                return count(n);
            }
            // a read that may block on the socket: the watchdog ends it at the deadline (NIO2)
            if (!guard.enter()) {
                throw answer(tooSlow());
            }
            int n = -1;
            IOException failure = null;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                failure = e;
            } finally {
                if (guard.exit()) {
                    throw answer(tooSlow());
                }
            }
            if (failure != null) {
                throw failed(failure);
            }
            return count(n);
        }

        /** Whether Tomcat holds bytes of the body already: then a read cannot block and needs no watchdog. */
        private boolean buffered() {
            try {
                return in.available() > 0;
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) {
                return 0;
            }
            byte[] buf = new byte[(int) Math.min(n, 8192)]; // read, not skipped: counted and timed like any read
            return Math.max(0, read(buf, 0, buf.length));
        }

        @Override
        public void close() throws IOException {
            finish();
            super.close();
        }

        /** The body is done with (read whole, or abandoned): releases the watchdog's timer task. */
        void finish() {
            if (guard != null) {
                guard.finish();
            }
        }

        private int count(int n) {
            if (n > 0) {
                read += n;
                if (read > maxBytes) {
                    throw answer(tooLarge());
                }
            } else if (n < 0) {
                finish();
            }
            if (System.nanoTime() - deadline > 0) {
                throw answer(tooSlow());
            }
            return n;
        }

        private ApiException failed(IOException e) {
            return answer(TomcatBodyErrors.error(e, tooSlow()));
        }

        private ApiException answer(ApiException e) {
            finish();
            TomcatBodyErrors.reclaim();
            return e;
        }
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than the limit of "
                + maxBytes + " bytes (platform.worker.limits.max-request-bytes)");
    }

    ApiException tooSlow() {
        return new ApiException(ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive within "
                + timeoutNanos / 1_000_000 + " ms (platform.worker.limits.body-read-timeout)");
    }
}
