package dev.libsqlplatform.dataplane.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker's HTTP transport ({@code platform.worker.http.*}): which Tomcat connector serves the SQL port.
 *
 * <p>Why a setting: under CPU contention the NIO connector's single Poller thread stalls whenever a request
 * thread that re-registers a keep-alive socket ({@code Selector.wakeup()}, under the selector's wake-up lock) loses
 * its core inside that lock; every connection then waits for that one thread to be scheduled again (a JFR
 * profile of contended point reads found stalls of up to 535 ms, README "Performance", #15). NIO2 waits for
 * data through the JDK's asynchronous channels, which re-arm a socket with a one-shot {@code epoll_ctl} and need
 * no wake-up lock. A setting lets the benchmark compare both in the same run ({@code bench/run
 * --variant=PLATFORM_WORKER_HTTP_CONNECTOR=nio}).
 *
 * <p>With NIO2 Tomcat logs once at start that "the NIO2 connector requires an exclusive executor": the request pool
 * ({@code RequestThreads}) is this connector's own, and becomes the JDK's asynchronous channel group's pool; the
 * group shuts it down with the connector, after which only WebSocket requests of connections already closed could
 * have used it.
 *
 * <p>Slow bodies: when a blocking read of a request body times out in Tomcat, NIO2 cancels the pending asynchronous
 * read, and the JDK cancels it by closing the channel, so a body slower than
 * {@code platform.worker.limits.body-read-timeout} would get a closed connection instead of the documented
 * {@code 408 REQUEST_TIMEOUT}. With NIO2 the worker therefore sets Tomcat's read timeout to twice the body timeout and
 * ends a body read blocked at the deadline itself ({@code http.BodyReadWatchdog}), so both connectors answer alike
 * ({@code BodyReadTransportTest}). NIO stays the default: the watchdog leans on how Tomcat's NIO2 wrapper handles an
 * interrupt, and the comparison was not re-measured since.
 *
 * @param connector {@code nio} (default, Tomcat's) or {@code nio2} (faster under CPU contention; see above and README
 *                  "Performance")
 */
@ConfigurationProperties(prefix = "platform.worker.http")
public record HttpTransportProperties(@DefaultValue("nio") Connector connector) {

    /** The Tomcat connector protocols the SQL port may run on. */
    public enum Connector {
        /** {@code Http11NioProtocol}: one Poller thread selects for every idle connection. */
        NIO("org.apache.coyote.http11.Http11NioProtocol"),
        /** {@code Http11Nio2Protocol}: JDK asynchronous channels, one-shot epoll re-arming, no selector wake-ups. */
        NIO2("org.apache.coyote.http11.Http11Nio2Protocol");

        private final String protocolClass;

        Connector(String protocolClass) {
            this.protocolClass = protocolClass;
        }

        /** The protocol handler's class name, as Tomcat's connector takes it. */
        public String protocolClass() {
            return protocolClass;
        }
    }

    public HttpTransportProperties {
        if (connector == null) {
            throw new IllegalArgumentException("platform.worker.http.connector must be nio or nio2");
        }
    }
}
