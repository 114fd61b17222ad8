package dev.libsqlplatform.dataplane.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
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
 * <p>The front ({@code http.SqlFront}): by default a Netty event loop owns the public port, serves Hrana pipelines itself
 * (read-only ones right on the loop, within {@code inline-budget}) and hands every other connection to Tomcat on a
 * loopback port, byte for byte. {@code tomcat} puts Tomcat on the public port as before (for comparison:
 * {@code bench/run --variant=PLATFORM_WORKER_HTTP_FRONT=tomcat}).
 *
 * @param connector      {@code nio} (default, Tomcat's) or {@code nio2} (faster under CPU contention; see above and
 *                       README "Performance")
 * @param front          {@code event-loop} (default) or {@code tomcat}
 * @param eventLoops     event-loop threads of the front; 0 = one per available processor (default 0)
 * @param inlineBudget   how long a read-only pipeline may run on the event loop before it is run again on a request
 *                       thread (default 2ms; 0 runs every pipeline on the request threads)
 * @param maxConnections open connections the front accepts; further ones are closed at once (default 8192, Tomcat's)
 */
@ConfigurationProperties(prefix = "platform.worker.http")
public record HttpTransportProperties(@DefaultValue("nio") Connector connector,
                                      @DefaultValue("event-loop") Front front,
                                      @DefaultValue("0") int eventLoops,
                                      @DefaultValue("2ms") Duration inlineBudget,
                                      @DefaultValue("8192") int maxConnections) {

    /** Who owns the SQL port. */
    public enum Front {
        /** A Netty event loop ({@code http.SqlFront}), Tomcat behind it on the loopback. */
        EVENT_LOOP,
        /** Tomcat alone. */
        TOMCAT
    }

    /** Tomcat alone on the port, with the given connector (tests of Tomcat's own paths). */
    public HttpTransportProperties(Connector connector) {
        this(connector, Front.TOMCAT, 0, Duration.ZERO, 8192);
    }

    /** The event-loop threads actually used. */
    public int effectiveEventLoops() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }

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

    @ConstructorBinding
    public HttpTransportProperties {
        if (connector == null) {
            throw new IllegalArgumentException("platform.worker.http.connector must be nio or nio2");
        }
        if (front == null) {
            throw new IllegalArgumentException("platform.worker.http.front must be event-loop or tomcat");
        }
        if (eventLoops < 0 || maxConnections < 1 || inlineBudget == null || inlineBudget.isNegative()) {
            throw new IllegalArgumentException("platform.worker.http: need event-loops >= 0, max-connections >= 1 and"
                    + " inline-budget >= 0; got " + eventLoops + ", " + maxConnections + ", " + inlineBudget);
        }
    }
}
