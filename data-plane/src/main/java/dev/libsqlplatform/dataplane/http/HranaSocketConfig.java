package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.auth.TokenAuthenticator;
import dev.libsqlplatform.dataplane.config.WebSocketProperties;
import dev.libsqlplatform.dataplane.hrana.HranaService;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
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
                                             WebSocketProperties props, LeanPipelineConfig threads) {
        ServerEndpointConfig.Configurator configurator = new ServerEndpointConfig.Configurator() {
            @Override
            public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
                for (String p : SUBPROTOCOLS) {
                    if (requested.contains(p)) {
                        return p;
                    }
                }
                return ""; // none offered: Hrana 1 without a header; only hrana3-protobuf: the client gives up
            }

            @Override
            public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request,
                                        HandshakeResponse response) {
                // the Host header routes the connection (label), as for HTTP; the config copy is per connection
                List<String> host = request.getHeaders().get("host");
                sec.getUserProperties().put(HranaSocketEndpoint.HOST, host == null || host.isEmpty() ? null
                        : host.get(0));
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getEndpointInstance(Class<T> endpointClass) {
                return (T) new HranaSocketEndpoint(hrana.getObject(), authenticator.getObject(),
                        clientWatch.getObject(), props, threads.requestThreads());
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
}
