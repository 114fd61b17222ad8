package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.auth.TokenAuthenticator;
import dev.libsqlplatform.dataplane.config.HttpTransportProperties;
import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.config.WebSocketProperties;
import dev.libsqlplatform.dataplane.forwarding.Forwarding;
import dev.libsqlplatform.dataplane.hrana.HranaService;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.GracefulShutdownCallback;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts {@link SqlFront} on the worker's port ({@code platform.worker.http.front=event-loop}, the default) with Tomcat
 * behind it on a loopback port. The web server the application sees is the pair: its port is the front's, so
 * {@code local.server.port}, the heartbeat's advertised URL and every test reach the worker through the front. Spring
 * Boot's own Tomcat factory steps back for this one (it is the same factory, with the same customizers).
 */
@Configuration(proxyBeanMethods = false)
class SqlFrontConfig {

    @Bean
    TomcatServletWebServerFactory tomcatServletWebServerFactory(
            ObjectProvider<TomcatConnectorCustomizer> connectorCustomizers,
            ObjectProvider<TomcatContextCustomizer> contextCustomizers,
            ObjectProvider<TomcatProtocolHandlerCustomizer<?>> protocolHandlerCustomizers,
            HttpTransportProperties transport, LimitsProperties limits,
            ObjectProvider<HranaController> controller, ObjectProvider<HranaService> hrana,
            ObjectProvider<RequestBodies> bodies, ObjectProvider<LeanPipelineConfig> lean,
            ObjectProvider<MeterRegistry> meters, ObjectProvider<Forwarding> forwarding,
            ObjectProvider<TokenAuthenticator> authenticator, ObjectProvider<ClientWatch> clientWatch,
            WebSocketProperties sockets) {
        FrontedTomcatFactory factory = new FrontedTomcatFactory(transport, limits,
                () -> new SqlFront.Services(controller.getObject(), hrana.getObject(), bodies.getObject(),
                        lean.getObject().requestThreads(), meters.getObject(), forwarding.getObject(),
                        new HranaSocketSession.Services(hrana.getObject(), authenticator.getObject(),
                                clientWatch.getObject(), forwarding.getObject(), lean.getObject().requestThreads()),
                        (int) Math.min(Integer.MAX_VALUE, sockets.maxMessageBytes().toBytes()),
                        sockets.maxRequestsInFlight()));
        factory.getConnectorCustomizers().addAll(connectorCustomizers.orderedStream().toList());
        factory.getContextCustomizers().addAll(contextCustomizers.orderedStream().toList());
        factory.getProtocolHandlerCustomizers().addAll(protocolHandlerCustomizers.orderedStream().toList());
        return factory;
    }

    /** Tomcat's factory, building Tomcat on the loopback and the front on the configured address and port. */
    static final class FrontedTomcatFactory extends TomcatServletWebServerFactory {
        private final HttpTransportProperties transport;
        private final LimitsProperties limits;
        private final java.util.function.Supplier<SqlFront.Services> services;

        FrontedTomcatFactory(HttpTransportProperties transport, LimitsProperties limits,
                             java.util.function.Supplier<SqlFront.Services> services) {
            this.transport = transport;
            this.limits = limits;
            this.services = services;
        }

        @Override
        public WebServer getWebServer(ServletContextInitializer... initializers) {
            boolean tls = getSsl() != null && getSsl().isEnabled();
            if (transport.front() != HttpTransportProperties.Front.EVENT_LOOP || tls || getPort() < 0) {
                return super.getWebServer(initializers); // the front speaks plain HTTP/1.1 only
            }
            int port = getPort();
            InetAddress address = getAddress();
            setPort(0);
            setAddress(InetAddress.getLoopbackAddress());
            WebServer tomcat;
            try {
                tomcat = super.getWebServer(initializers);
            } finally {
                setPort(port);
                setAddress(address);
            }
            return new FrontedWebServer(tomcat, new SqlFront(address, port, transport, limits, services));
        }
    }

    /** Tomcat and the front, started and stopped as one: Tomcat first up, last down. */
    record FrontedWebServer(WebServer tomcat, SqlFront front) implements WebServer {
        @Override
        public void start() {
            tomcat.start();
            front.start(tomcat.getPort());
        }

        @Override
        public void stop() {
            front.stop();
            tomcat.stop();
        }

        @Override
        public int getPort() {
            return front.port();
        }

        @Override
        public void shutDownGracefully(GracefulShutdownCallback callback) {
            front.stopAccepting();
            tomcat.shutDownGracefully(callback);
        }

        @Override
        public void destroy() {
            front.stop();
            tomcat.destroy();
        }
    }
}
