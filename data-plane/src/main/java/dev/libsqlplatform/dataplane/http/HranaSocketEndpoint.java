package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.auth.TokenAuthenticator;
import dev.libsqlplatform.contract.internalapi.DatabaseRoute;
import dev.libsqlplatform.dataplane.config.WebSocketProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.forwarding.Forwarding;
import dev.libsqlplatform.dataplane.forwarding.SocketRelay;
import dev.libsqlplatform.dataplane.hrana.Access;
import dev.libsqlplatform.dataplane.hrana.HranaJson;
import dev.libsqlplatform.dataplane.hrana.HranaService;
import dev.libsqlplatform.dataplane.hrana.SocketConnection;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hrana over WebSocket, transport side: one instance per connection (see {@link HranaSocketConfig}). It only moves
 * text between the socket and {@link SocketConnection} (the protocol), authenticates tokens with the same
 * {@link TokenAuthenticator} call as HTTP and maps errors with {@link ErrorResponses#answer}, the one mapping.
 */
final class HranaSocketEndpoint extends Endpoint {
    private static final Logger log = LoggerFactory.getLogger(HranaSocketEndpoint.class);
    static final String HOST = "hrana.host";
    /** True when another worker relays this connection (it carried the service secret). */
    static final String RELAYED = "hrana.relayed";
    /** The client's address named by the relaying worker. */
    static final String RELAYED_FOR = "hrana.relayed-for";
    private static final String REMOTE_ADDRESS = "jakarta.websocket.endpoint.remoteAddress";

    private final HranaService hrana;
    private final TokenAuthenticator authenticator;
    private final ClientWatch clientWatch;
    private final Forwarding forwarding;
    private final WebSocketProperties props;
    private final Executor executor;
    private SocketConnection connection;
    /**
     * Set while the first {@code hello} is authenticated when its database is hosted by another worker: the local
     * protocol's refusal is then not sent, and the connection becomes a relay to that worker (see {@link #deliver}).
     */
    private volatile DatabaseRoute relayTo;
    private volatile SocketRelay relay;

    HranaSocketEndpoint(HranaService hrana, TokenAuthenticator authenticator, ClientWatch clientWatch,
                        Forwarding forwarding, WebSocketProperties props, Executor executor) {
        this.hrana = hrana;
        this.authenticator = authenticator;
        this.clientWatch = clientWatch;
        this.forwarding = forwarding;
        this.props = props;
        this.executor = executor;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        String host = (String) config.getUserProperties().get(HOST);
        boolean relayed = Boolean.TRUE.equals(config.getUserProperties().get(RELAYED));
        Object remote = session.getUserProperties().get(REMOTE_ADDRESS);
        String remoteIp = remote instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
        String fronted = TomcatRelay.clientOf(remote instanceof java.net.SocketAddress a ? a : null);
        if (fronted != null) {
            remoteIp = fronted; // came through the SQL port's front: the client's address, not the relay's
        }
        if (relayed && config.getUserProperties().get(RELAYED_FOR) instanceof String client) {
            remoteIp = client;
        }
        session.setMaxIdleTimeout(0); // the service's sweeper closes idle connections (idle-timeout), not Tomcat
        connection = hrana.openSocket(new Peer(session, host, remoteIp, relayed), executor);
        int max = (int) props.maxMessageBytes().toBytes();
        // partial delivery: Tomcat's whole-message buffer is allocated at its full size per connection, so the
        // message is assembled here instead, bounded by max-message-bytes, and small messages are not copied
        session.addMessageHandler(String.class, new MessageHandler.Partial<String>() {
            private StringBuilder parts;
            private boolean tooLarge;

            @Override
            public void onMessage(String part, boolean last) {
                if (!tooLarge && (parts == null ? part.length() : parts.length() + part.length()) > max) {
                    tooLarge = true;
                    parts = null;
                    close(session, SocketConnection.CLOSE_TOO_BIG, "MESSAGE_TOO_LARGE: messages are limited to "
                            + max + " bytes");
                }
                if (tooLarge) {
                    return;
                }
                if (last && parts == null) {
                    deliver(session, part);
                    return;
                }
                if (parts == null) {
                    parts = new StringBuilder(part.length() * 2);
                }
                parts.append(part);
                if (last) {
                    String whole = parts.toString();
                    parts = null;
                    deliver(session, whole);
                }
            }
        });
        session.addMessageHandler(ByteBuffer.class, new MessageHandler.Partial<ByteBuffer>() {
            @Override
            public void onMessage(ByteBuffer part, boolean last) {
                if (relay == null) {
                    connection.onBinaryMessage();
                } else {
                    close(session, SocketConnection.CLOSE_PROTOCOL_ERROR,
                            "HRANA_PROTO_ERROR: binary messages are not accepted: the negotiated encoding is JSON");
                }
            }
        });
    }

    /**
     * One whole client message: to the local protocol, or to the relay once the connection is relayed. The first
     * {@code hello} decides: authenticated here, the connection stays local; naming a database another worker hosts,
     * that hello and everything after it go to that worker, and the local connection is dropped unanswered.
     */
    private void deliver(Session session, String text) {
        SocketRelay r = relay;
        if (r != null) {
            r.send(text);
            return;
        }
        connection.onMessage(text);
        DatabaseRoute route = relayTo;
        if (route != null) {
            connection.closed();
            relay = forwarding.relay(route, incoming, session.getNegotiatedSubprotocol(), new ToClient(session));
            relay.send(text);
        }
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        SocketRelay r = relay;
        if (r != null) {
            r.close();
        }
        if (connection != null) {
            connection.closed();
            clientWatch.cancelNow(connection); // interrupt what its streams are running now
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        log.debug("WebSocket error: {}", error.toString());
    }

    static void close(Session session, int code, String reason) {
        // a close reason is at most 123 bytes of UTF-8
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        String r = bytes.length <= 123 ? reason : new String(bytes, 0, 120, StandardCharsets.UTF_8);
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), r));
        } catch (IOException | IllegalStateException e) {
            log.debug("closing a WebSocket failed: {}", e.toString());
        }
    }

    /** What the relay delivers to the client. */
    private static final class ToClient implements SocketRelay.Downstream {
        private final Session session;

        ToClient(Session session) {
            this.session = session;
        }

        @Override
        public void send(String text) {
            sendText(session, text);
        }

        @Override
        public void close(int code, String reason) {
            HranaSocketEndpoint.close(session, code, reason);
        }

        @Override
        public void failed(Throwable error, boolean answered) {
            ErrorResponses.Answer a = ErrorResponses.answer(new ApiException(ErrorCode.DATABASE_UNAVAILABLE,
                    "the database is unavailable: the worker hosting it does not answer"));
            if (!answered) {
                // the client still waits for the answer to its hello
                sendText(session, HranaJson.helloError(a.message(), a.code()));
            }
            HranaSocketEndpoint.close(session, SocketConnection.CLOSE_GOING_AWAY, a.code() + ": " + a.message());
        }
    }

    /** The basic remote allows one sender at a time; answers come from several stream threads. */
    private static void sendText(Session session, String message) {
        synchronized (session) {
            if (!session.isOpen()) {
                return;
            }
            try {
                session.getBasicRemote().sendText(message);
            } catch (IOException | IllegalStateException e) {
                log.debug("sending on a WebSocket failed: {}", e.toString());
            }
        }
    }

    private Forwarding.Incoming incoming;
    /** The first hello was authenticated (transport thread only, like every message). */
    private boolean helloSeen;

    private final class Peer implements SocketConnection.Peer {
        private final Session session;
        private final String host;
        private final String remoteIp;
        private final boolean relayed;

        Peer(Session session, String host, String remoteIp, boolean relayed) {
            this.session = session;
            this.host = host;
            this.remoteIp = remoteIp;
            this.relayed = relayed;
        }

        @Override
        public void send(String message) {
            if (relayTo != null) {
                return; // the refusal of a hello that is relayed: the hosting worker answers it
            }
            sendText(session, message);
        }

        @Override
        public void close(int code, String reason) {
            if (relayTo == null) {
                HranaSocketEndpoint.close(session, code, reason);
            }
        }

        @Override
        public Access authenticate(String jwt) {
            String authorization = jwt == null ? null : "Bearer " + jwt;
            try {
                return Access.of(authenticator.authenticate(authorization, host, remoteIp));
            } catch (ApiException e) {
                // as for HTTP: only a token this worker cannot verify may name a database hosted elsewhere, and
                // only the first hello (a later one must name the same database, which is hosted here)
                if (e.code() == ErrorCode.UNAUTHORIZED && !helloSeen) {
                    Forwarding.Incoming in = new Forwarding.Incoming(authorization, host, remoteIp, relayed);
                    if (forwarding.notHere(in)) {
                        // relayed by a worker whose route is stale (the database moved away): it re-routes the hello
                        throw new ApiException(ErrorCode.DATABASE_NOT_HERE, "the database is not hosted on this worker");
                    }
                    forwarding.target(in).ifPresent(route -> {
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
