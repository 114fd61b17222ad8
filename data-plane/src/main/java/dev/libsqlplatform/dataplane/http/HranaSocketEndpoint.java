package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.config.WebSocketProperties;
import dev.libsqlplatform.dataplane.hrana.SocketConnection;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hrana over WebSocket on Tomcat's container (see {@link HranaSocketConfig}; the SQL port's front serves it itself,
 * {@link FrontSocket}, this is the path with {@code platform.worker.http.front=tomcat} and for what the front hands to
 * Tomcat): one instance per connection, which only assembles text messages and hands them to its
 * {@link HranaSocketSession}.
 */
final class HranaSocketEndpoint extends Endpoint {
    private static final Logger log = LoggerFactory.getLogger(HranaSocketEndpoint.class);
    static final String HOST = "hrana.host";
    /** True when another worker relays this connection (it carried the service secret). */
    static final String RELAYED = "hrana.relayed";
    /** The client's address named by the relaying worker. */
    static final String RELAYED_FOR = "hrana.relayed-for";
    private static final String REMOTE_ADDRESS = "jakarta.websocket.endpoint.remoteAddress";

    private final HranaSocketSession.Services app;
    private final WebSocketProperties props;
    private HranaSocketSession socket;

    HranaSocketEndpoint(HranaSocketSession.Services app, WebSocketProperties props) {
        this.app = app;
        this.props = props;
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
        socket = new HranaSocketSession(app, host, remoteIp, relayed, session.getNegotiatedSubprotocol(),
                SocketConnection.InPlace.NEVER) {
            @Override
            void sendText(String message) {
                HranaSocketEndpoint.sendText(session, message);
            }

            @Override
            void closeSocket(int code, String reason) {
                close(session, code, reason);
            }
        };
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
                    close(session, SocketConnection.CLOSE_TOO_BIG, HranaSocketSession.tooLarge(max));
                }
                if (tooLarge) {
                    return;
                }
                if (last && parts == null) {
                    socket.deliver(part);
                    return;
                }
                if (parts == null) {
                    parts = new StringBuilder(part.length() * 2);
                }
                parts.append(part);
                if (last) {
                    String whole = parts.toString();
                    parts = null;
                    socket.deliver(whole);
                }
            }
        });
        session.addMessageHandler(ByteBuffer.class, new MessageHandler.Partial<ByteBuffer>() {
            @Override
            public void onMessage(ByteBuffer part, boolean last) {
                socket.binary();
            }
        });
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        if (socket != null) {
            socket.closed();
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        log.debug("WebSocket error: {}", error.toString());
    }

    static void close(Session session, int code, String reason) {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), HranaSocketSession.closeReason(reason)));
        } catch (IOException | IllegalStateException e) {
            log.debug("closing a WebSocket failed: {}", e.toString());
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
}
