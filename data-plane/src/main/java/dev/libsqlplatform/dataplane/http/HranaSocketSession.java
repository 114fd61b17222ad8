package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.contract.internalapi.DatabaseRoute;
import dev.libsqlplatform.dataplane.auth.TokenAuthenticator;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.forwarding.Forwarding;
import dev.libsqlplatform.dataplane.forwarding.SocketRelay;
import dev.libsqlplatform.dataplane.hrana.Access;
import dev.libsqlplatform.dataplane.hrana.HranaJson;
import dev.libsqlplatform.dataplane.hrana.HranaService;
import dev.libsqlplatform.dataplane.hrana.SocketConnection;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

/**
 * One Hrana WebSocket connection above its transport, whichever carries the frames (the SQL port's event loop,
 * {@link FrontSocket}, or Tomcat's container, {@link HranaSocketEndpoint}): whole client messages go to
 * {@link SocketConnection} (the protocol), or, once the first {@code hello} named a database another worker hosts, to
 * a relay to that worker. Tokens are authenticated with the same {@link TokenAuthenticator} call as HTTP and errors
 * mapped with {@link ErrorResponses#answer}, the one mapping. The transport delivers messages one at a time, in order;
 * answers are sent from several threads.
 */
abstract class HranaSocketSession {
    /** What a socket needs of the application. */
    record Services(HranaService hrana, TokenAuthenticator authenticator, ClientWatch clientWatch, Forwarding forwarding,
                    Executor requestThreads) {
    }

    private final Services app;
    private final String host;
    private final String remoteIp;
    /** Another worker relays this connection (it carried the service secret): never relayed again. */
    private final boolean relayed;
    private final String subprotocol;
    private final SocketConnection connection;
    /**
     * Set while the first {@code hello} is authenticated when its database is hosted by another worker: the local
     * protocol's refusal is then not sent, and the connection becomes a relay to that worker (see {@link #deliver}).
     */
    private volatile DatabaseRoute relayTo;
    private volatile SocketRelay relay;
    private Forwarding.Incoming incoming;
    /** The first hello was authenticated (transport thread only, like every message). */
    private boolean helloSeen;

    /**
     * @param host        the Host the connection was opened with (it routes by label, as for HTTP)
     * @param subprotocol the negotiated subprotocol ("" for none), which a relay offers the hosting worker
     * @param inPlace     what the transport's thread may run itself ({@link SocketConnection.InPlace#NEVER}: nothing)
     */
    HranaSocketSession(Services app, String host, String remoteIp, boolean relayed, String subprotocol,
                       SocketConnection.InPlace inPlace) {
        this.app = app;
        this.host = host;
        this.remoteIp = remoteIp;
        this.relayed = relayed;
        this.subprotocol = subprotocol;
        this.connection = app.hrana().openSocket(new Peer(), inPlace, app.requestThreads());
    }

    /** Sends one text message to the client; called from several threads. */
    abstract void sendText(String message);

    /** {@link SocketConnection.Peer#sendNoWait}: {@link #sendText} unless the transport may make a sender wait. */
    void sendTextNoWait(String message) {
        sendText(message);
    }

    /** Closes the socket with {@code code}; the transport then calls {@link #closed}. */
    abstract void closeSocket(int code, String reason);

    /**
     * One whole client message: to the local protocol, or to the relay once the connection is relayed. The first
     * {@code hello} decides: authenticated here, the connection stays local; naming a database another worker hosts,
     * that hello and everything after it go to that worker, and the local connection is dropped unanswered.
     */
    final void deliver(String text) {
        SocketRelay r = relay;
        if (r != null) {
            r.send(text);
            return;
        }
        connection.onMessage(text);
        DatabaseRoute route = relayTo;
        if (route != null) {
            connection.closed();
            relay = app.forwarding().relay(route, incoming, subprotocol, new ToClient());
            relay.send(text);
        }
    }

    /** A binary message (the negotiated encoding is JSON). */
    final void binary() {
        if (relay == null) {
            connection.onBinaryMessage();
        } else {
            closeSocket(SocketConnection.CLOSE_PROTOCOL_ERROR,
                    "HRANA_PROTO_ERROR: binary messages are not accepted: the negotiated encoding is JSON");
        }
    }

    /** The socket closed: the relay ends, and what the streams run now is interrupted. */
    final void closed() {
        SocketRelay r = relay;
        if (r != null) {
            r.close();
        }
        connection.closed();
        app.clientWatch().cancelNow(connection);
    }

    /** The close reason of a message over {@code max-message-bytes} (close code 1009). */
    static String tooLarge(long maxMessageBytes) {
        return "MESSAGE_TOO_LARGE: messages are limited to " + maxMessageBytes + " bytes";
    }

    /** A close reason is at most 123 bytes of UTF-8. */
    static String closeReason(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 123 ? reason : new String(bytes, 0, 120, StandardCharsets.UTF_8);
    }

    /** What the relay delivers to the client. */
    private final class ToClient implements SocketRelay.Downstream {
        @Override
        public void send(String text) {
            sendText(text);
        }

        @Override
        public void close(int code, String reason) {
            closeSocket(code, reason);
        }

        @Override
        public void failed(Throwable error, boolean answered) {
            ErrorResponses.Answer a = ErrorResponses.answer(new ApiException(ErrorCode.DATABASE_UNAVAILABLE,
                    "the database is unavailable: the worker hosting it does not answer"));
            if (!answered) {
                // the client still waits for the answer to its hello
                sendText(HranaJson.helloError(a.message(), a.code()));
            }
            closeSocket(SocketConnection.CLOSE_GOING_AWAY, a.code() + ": " + a.message());
        }
    }

    private final class Peer implements SocketConnection.Peer {
        @Override
        public void send(String message) {
            if (relayTo != null) {
                return; // the refusal of a hello that is relayed: the hosting worker answers it
            }
            sendText(message);
        }

        @Override
        public void sendNoWait(String message) {
            if (relayTo == null) {
                sendTextNoWait(message);
            }
        }

        @Override
        public void close(int code, String reason) {
            if (relayTo == null) {
                closeSocket(code, reason);
            }
        }

        @Override
        public Access authenticate(String jwt) {
            String authorization = jwt == null ? null : "Bearer " + jwt;
            try {
                return Access.of(app.authenticator().authenticate(authorization, host, remoteIp));
            } catch (ApiException e) {
                // as for HTTP: only a token this worker cannot verify may name a database hosted elsewhere, and
                // only the first hello (a later one must name the same database, which is hosted here)
                if (e.code() == ErrorCode.UNAUTHORIZED && !helloSeen) {
                    Forwarding.Incoming in = new Forwarding.Incoming(authorization, host, remoteIp, relayed);
                    if (app.forwarding().notHere(in)) {
                        // relayed by a worker whose route is stale (the database moved away): it re-routes the hello
                        throw new ApiException(ErrorCode.DATABASE_NOT_HERE, "the database is not hosted on this worker");
                    }
                    app.forwarding().target(in).ifPresent(route -> {
                        incoming = in;
                        relayTo = route;
                    });
                }
                throw e;
            } finally {
                helloSeen = true;
            }
        }

        @Override
        public String[] answer(RuntimeException e) {
            ErrorResponses.Answer a = ErrorResponses.answer(e);
            return new String[] {a.message(), a.code()};
        }
    }
}
