package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.config.HttpTransportProperties;
import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.config.RequestThreadsProperties;
import dev.libsqlplatform.dataplane.storage.BlockedWaits;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hot path's Tomcat set-up: {@link HranaPipelineValve} in the engine (see there for why), and
 * {@link RequestThreads} as the connector's executor (see there for why). The executor is not a bean, so
 * Spring Boot's task-execution auto-configuration keeps its own executor for everything else; it is shut
 * down with the context.
 */
@Configuration(proxyBeanMethods = false)
class LeanPipelineConfig implements DisposableBean {
    /** One executor per connector the customizer is applied to (a management port would add one). */
    private final List<RequestThreads> executors = new CopyOnWriteArrayList<>();

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> hranaPipelineValve(
            ObjectProvider<HranaController> controller) {
        return factory -> factory.addEngineValves(new HranaPipelineValve(controller));
    }

    /**
     * The connector protocol ({@code platform.worker.http.connector}): see {@link HttpTransportProperties} for why
     * NIO2. Applies to the main connector, which serves the SQL port and everything else on it.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> httpConnector(HttpTransportProperties transport) {
        return factory -> factory.setProtocol(transport.connector().protocolClass());
    }

    /**
     * One blocked body read may last at most body-read-timeout (Tomcat's default is 60 s per read); idle
     * keep-alive connections keep Tomcat's default minute, which the connection timeout would otherwise set.
     * On NIO2, Tomcat's read timeout closes the connection (see {@link BodyReadWatchdog}), so there it is twice
     * body-read-timeout: the watchdog ends a blocked body read at the deadline first, and Tomcat's timeout remains
     * only as the backstop should the watchdog's thread be starved that long.
     */
    @Bean
    TomcatProtocolHandlerCustomizer<?> bodyReadTimeout(LimitsProperties limits, HttpTransportProperties transport) {
        long millis = limits.bodyReadTimeout().toMillis();
        long readTimeout = transport.connector() == HttpTransportProperties.Connector.NIO2 ? 2 * millis : millis;
        return protocol -> {
            if (protocol instanceof AbstractProtocol<?> p) {
                p.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout));
                if (protocol instanceof AbstractHttp11Protocol<?> http) {
                    // behind the front Tomcat's idle connections are the front's own: twice as long, so the front (which
                    // closes a client idle for the keep-alive time, and its connection to Tomcat with it) always goes
                    // first, and a request is never sent on a connection Tomcat is closing
                    http.setKeepAliveTimeout(transport.front() == HttpTransportProperties.Front.EVENT_LOOP
                            ? 2 * KEEP_ALIVE_MILLIS : KEEP_ALIVE_MILLIS);
                }
            }
        };
    }

    private static final int KEEP_ALIVE_MILLIS = 60_000;

    @Bean
    TomcatProtocolHandlerCustomizer<?> requestThreadsExecutor(RequestThreadsProperties props, BlockedWaits waits) {
        return protocol -> {
            RequestThreads threads = new RequestThreads(props.effectiveBase(), Math.max(props.max(),
                    props.effectiveBase()), props.starvation().toNanos(), props.tick().toNanos(), "request-",
                    waits::now);
            waits.onFirstWait(threads::someoneWaits);
            executors.add(threads);
            protocol.setExecutor(threads);
        };
    }

    /**
     * The request threads, for work that does not arrive as an HTTP request (WebSocket stream requests): the same
     * pool, so the same starvation watchdog covers them.
     */
    java.util.concurrent.Executor requestThreads() {
        return executors.get(0);
    }

    @Override
    public void destroy() {
        executors.forEach(RequestThreads::shutdown);
    }
}
