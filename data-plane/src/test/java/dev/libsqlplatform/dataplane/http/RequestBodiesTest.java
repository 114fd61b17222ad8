package dev.libsqlplatform.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.config.HttpTransportProperties;
import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.coyote.BadRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.util.unit.DataSize;

/**
 * The body reader's own rules, without a server: every read failure becomes one typed {@link ApiException}, and on
 * NIO2 the {@link BodyReadWatchdog} ends a blocked read at the deadline without its interrupt ever outliving the read
 * (a request thread is pooled: a stray interrupt would hit the next request's SQL or lock wait).
 */
@Timeout(60)
class RequestBodiesTest {

    private static RequestBodies bodies(Duration timeout, HttpTransportProperties.Connector connector) {
        LimitsProperties limits = new LimitsProperties(Duration.ofSeconds(10), DataSize.ofBytes(1000), timeout,
                DataSize.ofMegabytes(32), 10000, 128, Duration.ofSeconds(120), DataSize.ofMegabytes(16),
                DataSize.ofMegabytes(1), 2000, 250, 250, 32766, 100, DataSize.ofGigabytes(1));
        return new RequestBodies(limits, new HttpTransportProperties(connector));
    }

    /** A socket that has nothing buffered: each read blocks until released or interrupted. */
    private static final class BlockingBody extends InputStream {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e); // as Tomcat's NIO2 wrapper does
            }
            return -1;
        }

        @Override
        public int available() {
            return 0;
        }
    }

    private static InputStream failing(IOException e) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                throw e;
            }
        };
    }

    private static ErrorCode codeOf(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e.code();
        }
        throw new AssertionError("no ApiException");
    }

    @Test
    void everyReadFailureIsOneTypedError() {
        RequestBodies b = bodies(Duration.ofSeconds(10), HttpTransportProperties.Connector.NIO);
        record Case(IOException thrown, ErrorCode expected) {
        }
        for (Case c : new Case[] {
            new Case(new ClientAbortException(new SocketTimeoutException()), ErrorCode.REQUEST_TIMEOUT),
            new Case(new BadRequestException("Invalid chunk header"), ErrorCode.BAD_REQUEST),
            new Case(new ClientAbortException(new EOFException("Unexpected EOF")), ErrorCode.BAD_REQUEST),
            new Case(new ClientAbortException(new IOException("Connection reset by peer")), ErrorCode.BAD_REQUEST)}) {
            assertThat(codeOf(() -> {
                try {
                    b.bounded(failing(c.thrown())).readAllBytes();
                } catch (IOException e) {
                    throw new AssertionError("an IOException escaped: " + e);
                }
            })).as("%s", c.thrown()).isEqualTo(c.expected());
        }
        assertThat(codeOf(() -> {
            try {
                b.bounded(new ByteArrayInputStream(new byte[1001])).readAllBytes();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        })).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThatThrownBy(() -> b.checkDeclaredLength(1001)).isInstanceOf(ApiException.class);
        b.destroy();
    }

    @Test
    void nio2ABlockedReadEndsAtTheDeadlineAndTheInterruptDoesNotOutliveIt() throws Exception {
        RequestBodies b = bodies(Duration.ofMillis(200), HttpTransportProperties.Connector.NIO2);
        try {
            BlockingBody socket = new BlockingBody();
            assertThatThrownBy(() -> b.bounded(socket).readAllBytes())
                    .isInstanceOfSatisfying(ApiException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT));
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag after the read").isFalse();
        } finally {
            b.destroy();
        }
    }

    @Test
    void nio2AReadThatEndsBeforeTheDeadlineIsNeverInterruptedLater() throws Exception {
        RequestBodies b = bodies(Duration.ofMillis(100), HttpTransportProperties.Connector.NIO2);
        try {
            BlockingBody socket = new BlockingBody();
            socket.release.countDown(); // the read returns (end of body) at once
            assertThat(b.bounded(socket).readAllBytes()).isEmpty();
            // the thread goes on with other work past the body's deadline: nothing may interrupt it
            Thread.sleep(300);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        } finally {
            b.destroy();
        }
    }

    /**
     * Reads ending around the deadline, in every order against the watchdog: each body ends (data or 408), and no
     * interrupt is left on the thread afterwards.
     */
    @Test
    void nio2RacesAtTheDeadlineLeaveNoInterruptBehind() throws Exception {
        RequestBodies b = bodies(Duration.ofMillis(2), HttpTransportProperties.Connector.NIO2);
        try {
            int timedOut = 0;
            for (int i = 0; i < 300; i++) {
                long parkNanos = ThreadLocalRandom.current().nextLong(0, 4_000_000);
                InputStream socket = new InputStream() {
                    @Override
                    public int read() {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws InterruptedIOException {
                        LockSupport.parkNanos(parkNanos); // returns early on an interrupt, like a channel read
                        if (Thread.currentThread().isInterrupted()) {
                            throw new InterruptedIOException();
                        }
                        return -1;
                    }

                    @Override
                    public int available() {
                        return 0;
                    }
                };
                try {
                    b.bounded(socket).readAllBytes();
                } catch (ApiException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT);
                    timedOut++;
                }
                assertThat(Thread.interrupted()).as("interrupt left behind after body %d", i).isFalse();
            }
            assertThat(timedOut).as("some reads crossed the deadline").isPositive();
        } finally {
            b.destroy();
        }
    }
}
