package dev.libsqlplatform.dataplane.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Bounds of Hrana over WebSocket ({@code platform.worker.websocket.*}). A WebSocket outlives its requests, so
 * what HTTP bounds per request (body size, streams per database) is bounded here per connection as well. Every
 * refusal is typed (README, Security).
 *
 * @param idleTimeout                a connection with no message from its client and no request in flight for
 *                                   this long is closed (code 1001), its streams rolled back (default 120s)
 * @param maxConnectionsPerDatabase  open connections authenticated for one database; one more gets
 *                                   {@code hello_error} {@code TOO_MANY_CONNECTIONS} (default 256)
 * @param maxConnectionsPerToken     open connections authenticated with one token (default 64)
 * @param maxStreamsPerConnection    open streams of one connection; one more {@code open_stream} answers
 *                                   {@code TOO_MANY_STREAMS} (default 64). Streams also count against the
 *                                   database's max-streams-per-database, as HTTP streams do
 * @param maxMessageBytes            longest client message (characters of one text message); a longer one closes
 *                                   the connection with 1009 {@code MESSAGE_TOO_LARGE} (default 32MB, as
 *                                   max-request-bytes)
 * @param maxRequestsInFlight        requests of one connection received but not yet answered; one more closes the
 *                                   connection with 1008 (default 1000): the spec's back-pressure bound
 */
@ConfigurationProperties(prefix = "platform.worker.websocket")
public record WebSocketProperties(
        @DefaultValue("120s") Duration idleTimeout,
        @DefaultValue("256") int maxConnectionsPerDatabase,
        @DefaultValue("64") int maxConnectionsPerToken,
        @DefaultValue("64") int maxStreamsPerConnection,
        @DefaultValue("32MB") DataSize maxMessageBytes,
        @DefaultValue("1000") int maxRequestsInFlight) {

    public WebSocketProperties {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("platform.worker.websocket.idle-timeout must be positive");
        }
        if (maxConnectionsPerDatabase < 1 || maxConnectionsPerToken < 1 || maxStreamsPerConnection < 1
                || maxRequestsInFlight < 1) {
            throw new IllegalArgumentException("platform.worker.websocket: counts must be at least 1");
        }
        if (maxMessageBytes.toBytes() < 1 || maxMessageBytes.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("platform.worker.websocket.max-message-bytes must be between 1 byte"
                    + " and 2 GB");
        }
    }
}
