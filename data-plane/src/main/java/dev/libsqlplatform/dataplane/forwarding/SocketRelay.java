package dev.libsqlplatform.dataplane.forwarding;

import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One Hrana WebSocket connection relayed to the worker hosting its database: text messages go both ways unchanged and
 * in order, and a close on either side closes the other. The hosting worker runs the protocol (hello, streams,
 * batons of its own), so nothing here parses a message, except the first answer (see below).
 *
 * <p>Ordering: the JDK client refuses a send while the previous one is pending, so client messages are chained on the
 * previous send's completion; messages the client sends while the upstream connection is still opening wait in that
 * chain. Answers are delivered one at a time ({@code request(1)} after each), which is the back-pressure: a slow
 * client slows its own upstream connection, nothing else.
 *
 * <p>A stale route: when the first answer is the hello's refusal with {@code DATABASE_NOT_HERE} (the worker the route
 * named no longer hosts the database: it moved), that answer is not delivered; the relay asks {@link Reroute} for a
 * connection to the new host (once) and sends it every client message so far, in order. Until the first answer the
 * relay keeps those messages for that purpose; afterwards it keeps nothing.
 */
public final class SocketRelay {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String NOT_HERE = "DATABASE_NOT_HERE";
    /** Client messages kept for a re-route (before the first answer, which normally comes within milliseconds). */
    static final int MAX_UNANSWERED = 1024;

    /** The client's side of the relay (the transport's session). */
    public interface Downstream {
        void send(String text);

        void close(int code, String reason);

        /** The upstream connection failed or could not be opened; {@code answered}: it had sent something. */
        void failed(Throwable error, boolean answered);
    }

    /** Opens a connection to the database's host again, after a stale route; null when there is none to open. */
    interface Reroute {
        CompletableFuture<WebSocket> reopen(WebSocket.Listener listener);
    }

    private final Downstream down;
    private final Reroute reroute;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean answered;
    /** Guarded by this: the send chain of the current upstream connection. */
    private CompletableFuture<WebSocket> tail;
    /** Guarded by this: the current upstream connection, opening or open (the chain fails with a send, this not). */
    private CompletableFuture<WebSocket> upstream;
    /** Guarded by this: which upstream connection is current (a superseded one's failures and answers are ignored). */
    private int attempt;
    /** Guarded by this: the client's messages before the first answer (to send again after a re-route), else null. */
    private List<String> unanswered = new ArrayList<>();
    /** Guarded by this: a send that failed before the first answer, judged once that answer (or the end) is read. */
    private Throwable sendFailedEarly;

    SocketRelay(Downstream down, Reroute reroute) {
        this.down = down;
        this.reroute = reroute;
    }

    /** Starts the chain with the opening upstream connection (the relay is built before it opens). */
    void connecting(CompletableFuture<WebSocket> opening) {
        int current;
        synchronized (this) {
            tail = opening;
            upstream = opening;
            current = attempt;
        }
        opening.whenComplete((ws, error) -> {
            if (error != null) {
                fail(error, current);
            }
        });
    }

    /** A whole text message from the client. */
    public void send(String text) {
        synchronized (this) {
            if (unanswered != null) {
                unanswered.add(text);
                if (unanswered.size() > MAX_UNANSWERED) {
                    unanswered = null; // a client that floods before its hello is answered is not re-routed
                }
            }
            chain(text);
        }
    }

    /** Guarded by this. */
    private void chain(String text) {
        int current = attempt;
        tail = tail.thenCompose(ws -> ws.sendText(text, true));
        tail.whenComplete((ws, error) -> {
            if (error != null) {
                sendFailed(error, current);
            }
        });
    }

    /**
     * A worker that no longer hosts the database answers the hello with its refusal and closes at once, so the
     * messages the client sent right behind the hello can fail to send (connection reset) before the listener has read
     * that refusal. Before the first answer a failed send therefore does not end the relay: the listener, which always
     * reads the answer, a close or an error next, decides between re-routing and failing.
     */
    private void sendFailed(Throwable error, int of) {
        synchronized (this) {
            if (of == attempt && !answered && unanswered != null) {
                if (sendFailedEarly == null) {
                    sendFailedEarly = error;
                }
                return;
            }
        }
        fail(error, of);
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

    private void fail(Throwable error, int of) {
        CompletableFuture<WebSocket> t;
        synchronized (this) {
            if (of != attempt) {
                return; // a superseded connection (re-routed): its end is expected
            }
            t = upstream;
        }
        if (closed.compareAndSet(false, true)) {
            t.thenAccept(WebSocket::abort);
            down.failed(error, answered);
        }
    }

    /** True when {@code text}, the first answer, is the refusal of a worker that does not host the database. */
    static boolean isNotHere(String text) {
        if (!text.contains(NOT_HERE)) {
            return false;
        }
        try {
            JsonNode msg = JSON.readTree(text);
            return "hello_error".equals(msg.path("type").asString(""))
                    && NOT_HERE.equals(msg.path("error").path("code").asString(""));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The first answer said the database is not there: drop that connection and send what the client sent so far to
     * the new host. Once only; a second such answer, or no new host, ends the relay with the transport's typed error.
     */
    private void rerouted(WebSocket stale, int of) {
        CompletableFuture<WebSocket> opening = null;
        boolean first;
        synchronized (this) {
            if (of != attempt || closed.get()) {
                stale.abort();
                return;
            }
            first = of == 0 && unanswered != null;
            if (first) {
                // superseded before it is aborted: the failures its abort causes (pending sends) are then ignored
                attempt++;
                sendFailedEarly = null;
                stale.abort();
                opening = reroute.reopen(listener());
            } else {
                stale.abort();
            }
            if (opening != null) {
                tail = opening;
                upstream = opening;
                int current = attempt;
                opening.whenComplete((ws, error) -> {
                    if (error != null) {
                        fail(error, current);
                    }
                });
                for (String text : unanswered) {
                    chain(text);
                }
                return;
            }
        }
        fail(new java.io.IOException("the database is not on the worker its route names (it is being moved)"), attempt());
    }

    private synchronized int attempt() {
        return attempt;
    }

    /** The upstream side: delivers the hosting worker's messages and close to the client. */
    WebSocket.Listener listener() {
        int of = attempt();
        return new WebSocket.Listener() {
            private final StringBuilder parts = new StringBuilder();

            private boolean current() {
                return of == attempt();
            }

            @Override
            public void onOpen(WebSocket ws) {
                ws.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                if (!current()) {
                    return null;
                }
                parts.append(data);
                if (last) {
                    String whole = parts.toString();
                    parts.setLength(0);
                    if (!answered) {
                        if (isNotHere(whole)) {
                            rerouted(ws, of);
                            return null;
                        }
                        Throwable early;
                        synchronized (SocketRelay.this) {
                            unanswered = null;
                            answered = true;
                            early = sendFailedEarly;
                        }
                        if (early != null) {
                            down.send(whole);
                            fail(early, of); // a real failure: the answer was not a refusal to re-route on
                            return null;
                        }
                    }
                    answered = true;
                    down.send(whole);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                if (!current()) {
                    return null;
                }
                closed.set(true);
                // 1005/1006 are reserved for "no code"/"abnormal" and may not be sent in a close frame
                down.close(code == 1005 || code == 1006 ? 1001 : code, reason);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                fail(error, of);
            }
        };
    }
}
