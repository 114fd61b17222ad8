package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * Request bodies under the worker's limits: at most max-request-bytes, arriving within body-read-timeout
 * of the headers. Read only after the caller is authenticated, so a client without a valid token never
 * holds a request thread with a slow body. One blocked read is bounded by the connector's connection
 * timeout (set to the same value in {@link LeanPipelineConfig}), so a trickling body overruns the deadline
 * by one read at most.
 */
final class RequestBodies {
    private final long maxBytes;
    private final long timeoutNanos;

    RequestBodies(LimitsProperties limits) {
        this.maxBytes = limits.maxRequestBytes().toBytes();
        this.timeoutNanos = limits.bodyReadTimeout().toNanos();
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Refuses a declared length over the limit before reading anything. */
    void checkDeclaredLength(long contentLength) {
        if (contentLength > maxBytes) {
            throw tooLarge();
        }
    }

    /** A body of known, small length, read whole. */
    byte[] readAll(InputStream in, int length) throws IOException {
        checkDeclaredLength(length);
        return bounded(in).readNBytes(length);
    }

    /** The body as a stream that fails with 413 past the limit and with 408 past the deadline. */
    InputStream bounded(InputStream in) {
        long deadline = System.nanoTime() + timeoutNanos;
        return new FilterInputStream(in) {
            private long read;

            private int count(int n) {
                if (n > 0) {
                    read += n;
                    if (read > maxBytes) {
                        throw tooLarge();
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw tooSlow();
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                try {
                    int b = super.read();
                    count(b < 0 ? 0 : 1);
                    return b;
                } catch (SocketTimeoutException e) {
                    throw tooSlow();
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return count(super.read(b, off, len));
                } catch (SocketTimeoutException e) {
                    throw tooSlow();
                }
            }
        };
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than the limit of "
                + maxBytes + " bytes (platform.worker.limits.max-request-bytes)");
    }

    private ApiException tooSlow() {
        return new ApiException(ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive within "
                + timeoutNanos / 1_000_000 + " ms (platform.worker.limits.body-read-timeout)");
    }
}
