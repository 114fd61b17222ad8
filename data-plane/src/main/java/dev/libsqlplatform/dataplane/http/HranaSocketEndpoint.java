package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.auth.TokenAuthenticator;
import dev.libsqlplatform.dataplane.config.WebSocketProperties;
import dev.libsqlplatform.dataplane.hrana.Access;
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
    private static final String REMOTE_ADDRESS = "jakarta.websocket.endpoint.remoteAddress";

    private final HranaService hrana;
    private final TokenAuthenticator authenticator;
    private final ClientWatch clientWatch;
    private final WebSocketProperties props;
    private final Executor executor;
    private SocketConnection connection;

    HranaSocketEndpoint(HranaService hrana, TokenAuthenticator authenticator, ClientWatch clientWatch,
                        WebSocketProperties props, Executor executor) {
        this.hrana = hrana;
        this.authenticator = authenticator;
        this.clientWatch = clientWatch;
        this.props = props;
        this.executor = executor;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        String host = (String) config.getUserProperties().get(HOST);
        Object remote = session.getUserProperties().get(REMOTE_ADDRESS);
        String remoteIp = remote instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
        session.setMaxIdleTimeout(0); // the service's sweeper closes idle connections (idle-timeout), not Tomcat
        connection = hrana.openSocket(new Peer(session, host, remoteIp), executor);
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
                    connection.onMessage(part);
                    return;
                }
                if (parts == null) {
                    parts = new StringBuilder(part.length() * 2);
                }
                parts.append(part);
                if (last) {
                    String whole = parts.toString();
                    parts = null;
                    connection.onMessage(whole);
                }
            }
        });
        session.addMessageHandler(ByteBuffer.class, new MessageHandler.Partial<ByteBuffer>() {
            @Override
            public void onMessage(ByteBuffer part, boolean last) {
                connection.onBinaryMessage();
            }
        });
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
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

    private final class Peer implements SocketConnection.Peer {
        private final Session session;
        private final String host;
        private final String remoteIp;

        Peer(Session session, String host, String remoteIp) {
            this.session = session;
            this.host = host;
            this.remoteIp = remoteIp;
        }

        @Override
        public void send(String message) {
            // the basic remote allows one sender at a time; answers come from several stream threads
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

        @Override
        public void close(int code, String reason) {
            HranaSocketEndpoint.close(session, code, reason);
        }

        @Override
        public Access authenticate(String jwt) {
            return Access.of(authenticator.authenticate(jwt == null ? null : "Bearer " + jwt, host, remoteIp));
        }

        @Override
        public String[] answer(RuntimeException e) {
            ErrorResponses.Answer a = ErrorResponses.answer(e);
            return new String[] {a.message(), a.code()};
        }
    }
}
