package dev.libsqlplatform.dataplane.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The relay's ordering rules, driven step by step with upstream connections whose sends fail exactly when a real
 * stale host makes them fail: it answers the hello with {@code DATABASE_NOT_HERE} and closes at once, so the messages
 * the client sent behind the hello fail to send ("Output closed", connection reset) before or while the refusal is
 * read. Those failures must not end the relay: the re-route sends everything again to the new host.
 */
class SocketRelayOrderingTest {
    static final String HELLO = "{\"type\":\"hello\",\"jwt\":\"t\"}";
    static final String REQUEST = "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\"}}";
    static final String NOT_HERE = "{\"type\":\"hello_error\",\"error\":{\"message\":\"not here\",\"code\":\""
            + SocketRelay.NOT_HERE + "\"}}";
    static final String HELLO_OK = "{\"type\":\"hello_ok\"}";

    /** An upstream connection: records what was sent; a send fails once the output is closed (or when told to). */
    static final class Upstream implements WebSocket {
        final List<String> sent = new ArrayList<>();
        final List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
        boolean outputClosed;
        boolean holdSends;
        boolean aborted;

        @Override
        public synchronized CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            if (outputClosed) {
                return CompletableFuture.failedFuture(new IOException("Output closed"));
            }
            sent.add(data.toString());
            CompletableFuture<WebSocket> f = new CompletableFuture<>();
            if (holdSends) {
                pending.add(f);
            } else {
                f.complete(this);
            }
            return f;
        }

        @Override
        public void abort() {
            List<CompletableFuture<WebSocket>> fail;
            synchronized (this) {
                aborted = true;
                outputClosed = true;
                fail = new ArrayList<>(pending);
                pending.clear();
            }
            // as the JDK's: pending sends fail on the aborting thread
            fail.forEach(f -> f.completeExceptionally(new IOException("Output closed")));
        }

        @Override
        public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            outputClosed = true;
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public void request(long n) {
        }

        @Override
        public String getSubprotocol() {
            return "hrana3";
        }

        @Override
        public boolean isOutputClosed() {
            return outputClosed;
        }

        @Override
        public boolean isInputClosed() {
            return aborted;
        }
    }

    /** What reached the client. */
    static final class Client implements SocketRelay.Downstream {
        final List<String> received = new ArrayList<>();
        Throwable failure;
        Boolean failedAnswered;

        @Override
        public void send(String text) {
            received.add(text);
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public void failed(Throwable error, boolean answered) {
            failure = error;
            failedAnswered = answered;
        }
    }

    final Client client = new Client();
    final Upstream stale = new Upstream();
    final Upstream moved = new Upstream();
    WebSocket.Listener movedListener;
    final SocketRelay relay = new SocketRelay(client, listener -> {
        movedListener = listener;
        return CompletableFuture.completedFuture(moved);
    });

    private WebSocket.Listener open(Upstream ws) {
        WebSocket.Listener l = relay.listener();
        relay.connecting(CompletableFuture.completedFuture(ws));
        l.onOpen(ws);
        return l;
    }

    private static CompletionStage<?> text(WebSocket.Listener l, WebSocket ws, String text) {
        return l.onText(ws, text, true);
    }

    @Test
    void aSendThatFailsBecauseTheStaleHostClosedDoesNotEndTheRelay() {
        WebSocket.Listener first = open(stale);
        relay.send(HELLO);
        stale.outputClosed = true; // the stale host refused the hello and closed before the request went out
        relay.send(REQUEST);
        assertThat(client.failure).isNull();

        text(first, stale, NOT_HERE);
        assertThat(client.failure).as("failed: %s", client.failure).isNull();
        assertThat(moved.sent).containsExactly(HELLO, REQUEST);
        text(movedListener, moved, HELLO_OK);
        assertThat(client.received).containsExactly(HELLO_OK);
        assertThat(client.failure).isNull();
    }

    @Test
    void sendsThatTheRerouteAbortsAreIgnored() {
        WebSocket.Listener first = open(stale);
        stale.holdSends = true; // the request is still being written when the refusal is read
        relay.send(HELLO);
        relay.send(REQUEST);

        text(first, stale, NOT_HERE);
        assertThat(stale.aborted).isTrue();
        assertThat(client.failure).as("failed: %s", client.failure).isNull();
        // the re-route sent what the client had sent so far, in order, the unfinished request included
        assertThat(moved.sent).containsExactly(HELLO, REQUEST);
        text(movedListener, moved, HELLO_OK);
        assertThat(client.received).containsExactly(HELLO_OK);
    }

    @Test
    void aSendThatFailedBeforeAnAnswerThatIsNotARefusalEndsTheRelayAfterThatAnswer() {
        WebSocket.Listener first = open(stale);
        relay.send(HELLO);
        stale.outputClosed = true;
        relay.send(REQUEST);

        text(first, stale, HELLO_OK);
        assertThat(client.received).containsExactly(HELLO_OK);
        assertThat(client.failure).hasRootCauseInstanceOf(IOException.class);
        assertThat(client.failedAnswered).isTrue();
        assertThat(stale.aborted).isTrue();
    }

    @Test
    void aSendThatFailedBeforeAConnectionErrorEndsTheRelayUnanswered() {
        WebSocket.Listener first = open(stale);
        relay.send(HELLO);
        stale.outputClosed = true;
        relay.send(REQUEST);

        first.onError(stale, new IOException("connection reset"));
        assertThat(client.failure).hasMessage("connection reset");
        assertThat(client.failedAnswered).isFalse();
        assertThat(client.received).isEmpty();
    }

    @Test
    void aSendThatFailsAfterTheFirstAnswerEndsTheRelayAtOnce() {
        WebSocket.Listener first = open(stale);
        relay.send(HELLO);
        text(first, stale, HELLO_OK);
        stale.outputClosed = true;
        relay.send(REQUEST);
        assertThat(client.failure).hasRootCauseInstanceOf(IOException.class);
        assertThat(client.failedAnswered).isTrue();
    }
}
