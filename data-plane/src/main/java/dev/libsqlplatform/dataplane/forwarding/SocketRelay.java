package dev.libsqlplatform.dataplane.forwarding;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Hrana WebSocket connection relayed to the worker hosting its database: text messages go both ways unchanged and
 * in order, and a close on either side closes the other. The hosting worker runs the protocol (hello, streams,
 * batons of its own), so nothing here parses a message.
 *
 * <p>Ordering: the JDK client refuses a send while the previous one is pending, so client messages are chained on the
 * previous send's completion; messages the client sends while the upstream connection is still opening wait in that
 * chain. Answers are delivered one at a time ({@code request(1)} after each), which is the back-pressure: a slow
 * client slows its own upstream connection, nothing else.
 */
public final class SocketRelay {

    /** The client's side of the relay (the transport's session). */
    public interface Downstream {
        void send(String text);

        void close(int code, String reason);

        /** The upstream connection failed or could not be opened; {@code answered}: it had sent something. */
        void failed(Throwable error, boolean answered);
    }

    private final Downstream down;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean answered;
    private CompletableFuture<WebSocket> tail;

    SocketRelay(Downstream down) {
        this.down = down;
    }

    /** Starts the chain with the opening upstream connection (the relay is built before it opens). */
    void connecting(CompletableFuture<WebSocket> opening) {
        synchronized (this) {
            tail = opening;
        }
        opening.whenComplete((ws, error) -> {
            if (error != null) {
                fail(error);
            }
        });
    }

    /** A whole text message from the client. */
    public void send(String text) {
        synchronized (this) {
            tail = tail.thenCompose(ws -> ws.sendText(text, true));
            tail.whenComplete((ws, error) -> {
                if (error != null) {
                    fail(error);
                }
            });
        }
    }

    /** The client closed (or is gone): close upstream after what was sent before. Idempotent. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            tail.thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""))
                    .whenComplete((ws, error) -> {
                        if (error != null && ws != null) {
                            ws.abort();
                        }
                    });
        }
    }

    private void fail(Throwable error) {
        if (closed.compareAndSet(false, true)) {
            tail.thenAccept(WebSocket::abort);
            down.failed(error, answered);
        }
    }

    /** The upstream side: delivers the hosting worker's messages and close to the client. */
    WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder parts = new StringBuilder();

            @Override
            public void onOpen(WebSocket ws) {
                ws.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                parts.append(data);
                if (last) {
                    String whole = parts.toString();
                    parts.setLength(0);
                    answered = true;
                    down.send(whole);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                closed.set(true);
                // 1005/1006 are reserved for "no code"/"abnormal" and may not be sent in a close frame
                down.close(code == 1005 || code == 1006 ? 1001 : code, reason);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                fail(error);
            }
        };
    }
}
