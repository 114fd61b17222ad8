package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.dataplane.auth.TokenAuthenticator;
import dev.libsqlplatform.dataplane.config.WebSocketProperties;
import dev.libsqlplatform.dataplane.forwarding.Forwarding;
import dev.libsqlplatform.dataplane.hrana.HranaService;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers Hrana over WebSocket at {@code /} of the worker's port (where {@code ws://host:port} lands), with
 * Tomcat's own JSR-356 container. Why not Spring's WebSocket support: it runs the handshake through the
 * DispatcherServlet and the filter chain and wraps every message in its own session and message objects on top
 * of the same Tomcat container; the endpoint needs none of that (no STOMP, no SockJS), so the plain container is
 * one layer less per message and no extra dependency. Plain HTTP requests to {@code /} (legacy sqld queries) are
 * untouched: Tomcat's WebSocket filter takes only upgrade requests.
 */
@Configuration(proxyBeanMethods = false)
class HranaSocketConfig {
    /** Preference order: the newest version the client offers. No subprotocol at all means Hrana 1 (spec). */
    static final List<String> SUBPROTOCOLS = List.of("hrana3", "hrana2", "hrana1");

    @Bean
    ServletContextInitializer hranaWebSocket(ObjectProvider<HranaService> hrana,
                                             ObjectProvider<TokenAuthenticator> authenticator,
                                             ObjectProvider<ClientWatch> clientWatch,
                                             ObjectProvider<Forwarding> forwarding,
                                             WebSocketProperties props, LeanPipelineConfig threads) {
        ServerEndpointConfig.Configurator configurator = new ServerEndpointConfig.Configurator() {
            @Override
            public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
                return negotiate(requested);
            }

            @Override
            public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request,
                                        HandshakeResponse response) {
                // the Host header routes the connection (label), as for HTTP; the config copy is per connection.
                // A connection relayed by another worker (it carries the service secret) names the client's Host and
                // address in headers, and is never relayed again; without the secret those headers are ignored.
                Map<String, List<String>> headers = request.getHeaders();
                boolean relayed = forwarding.getObject().trusted(first(headers, InternalApi.FORWARDED_BY));
                String host = first(headers, "host");
                if (relayed && first(headers, InternalApi.FORWARDED_HOST) != null) {
                    host = first(headers, InternalApi.FORWARDED_HOST);
                }
                // (the container's property map takes no null values)
                Map<String, Object> properties = sec.getUserProperties();
                properties.remove(HranaSocketEndpoint.HOST);
                properties.remove(HranaSocketEndpoint.RELAYED_FOR);
                if (host != null) {
                    properties.put(HranaSocketEndpoint.HOST, host);
                }
                properties.put(HranaSocketEndpoint.RELAYED, relayed);
                String client = first(headers, InternalApi.FORWARDED_FOR);
                if (relayed && client != null) {
                    properties.put(HranaSocketEndpoint.RELAYED_FOR, client);
                }
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getEndpointInstance(Class<T> endpointClass) {
                return (T) new HranaSocketEndpoint(new HranaSocketSession.Services(hrana.getObject(),
                        authenticator.getObject(), clientWatch.getObject(), forwarding.getObject(),
                        threads.requestThreads()), props);
            }
        };
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(HranaSocketEndpoint.class, "/")
                .subprotocols(SUBPROTOCOLS).configurator(configurator).build();
        return servletContext -> servletContext.addListener(new ServletContextListener() {
            @Override
            public void contextInitialized(ServletContextEvent event) {
                ServerContainer container = (ServerContainer) event.getServletContext()
                        .getAttribute(ServerContainer.class.getName());
                if (container == null) {
                    throw new IllegalStateException("Tomcat's WebSocket container is missing (tomcat-embed-websocket)");
                }
                try {
                    container.addEndpoint(config);
                } catch (DeploymentException e) {
                    throw new IllegalStateException("cannot register Hrana over WebSocket", e);
                }
            }
        });
    }

    /** The subprotocol answered to {@code requested}: the newest Hrana version offered, else "" (no header). */
    static String negotiate(List<String> requested) {
        for (String p : SUBPROTOCOLS) {
            if (requested.contains(p)) {
                return p;
            }
        }
        return ""; // none offered: Hrana 1 without a header; only hrana3-protobuf: the client gives up
    }

    /** The first value of a handshake header (the container's map is case-insensitive), or null. */
    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
