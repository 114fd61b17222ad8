package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.config.HttpTransportProperties;
import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.forwarding.Forwarding;
import dev.libsqlplatform.dataplane.hrana.Access;
import dev.libsqlplatform.dataplane.hrana.HranaService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL port's event loop: a Netty server on the worker's public port in front of Tomcat, which moves to a loopback
 * port of its own. Why (README "Performance", #15): on a point read Tomcat's connector cost half of the worker's Java
 * CPU and most of its kernel time — a poller thread selects, hands the socket to a request thread (a futex wake-up),
 * which parses, answers and hands the socket back (an epoll re-arm and a selector wake-up). Here the loop that sees
 * the bytes answers them: one {@code epoll_wait} for many sockets, one read, one write. Only what is safe to run
 * there runs there ({@link FrontConnection}); everything else keeps Tomcat's and Spring MVC's behaviour unchanged
 * through {@link TomcatRelay}.
 *
 * <p>Created by the web server factory ({@link SqlFrontConfig}) before the application's beans exist; those are taken
 * from {@code services} when the server starts, after every bean is ready.
 */
final class SqlFront {
    private static final Logger log = LoggerFactory.getLogger(SqlFront.class);
    /** Name of the keep-alive idle handler in a connection's pipeline (removed when the connection is relayed). */
    static final String IDLE = "idle";
    /** Tomcat's default keep-alive timeout, which the worker keeps on Tomcat's side too ({@link LeanPipelineConfig}). */
    private static final int KEEP_ALIVE_SECONDS = 60;

    /**
     * How long a connection must have been the only one its event loop read anything from before the loop blocks on
     * that connection's write ({@link #soleSender}): long enough that another connection's client is unlikely to be in
     * the middle of a conversation (the bench's, a pool's idle connections do not count: they send nothing).
     */
    static final long SOLE_SENDER_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What an event loop last read from, and since when only from it; the loop's own, touched only on that loop. */
    private static final class LoopActivity {
        Object last;
        long since;
    }

    private static final FastThreadLocal<LoopActivity> ACTIVITY =
            new FastThreadLocal<>() {
                @Override
                protected LoopActivity initialValue() {
                    return new LoopActivity();
                }
            };

    /** What the loop needs of the application, resolved at start. */
    record Services(HranaController controller, HranaService hrana, RequestBodies bodies, Executor requestThreads,
                    MeterRegistry meters, Forwarding forwarding, HranaSocketSession.Services sockets,
                    int maxSocketMessageBytes, int maxSocketRequestsInFlight) {
    }

    private final InetAddress address;
    private final int port;
    private final HttpTransportProperties transport;
    private final LimitsProperties limits;
    private final java.util.function.Supplier<Services> services;
    private final AtomicInteger connections = new AtomicInteger();

    private EventLoopGroup loops;
    private Channel server;
    private InetSocketAddress tomcat;
    private Services app;
    private long inlineBudgetNanos;
    private long bodyReadTimeoutNanos;
    private Counter inline;
    private Counter pool;
    private Counter moved;
    private Counter forwardedElsewhere;
    private Counter grouped;
    private Counter ledOnLoop;
    private Counter socketsOpened;
    private Counter socketReadsInline;
    private Counter socketStreamsInline;
    private Counter socketWritesGrouped;
    private Counter socketWritesLed;
    private Counter relayedConnections;
    private Counter passedRequests;
    private Counter refusedConnections;
    private Class<? extends SocketChannel> socketType;

    SqlFront(InetAddress address, int port, HttpTransportProperties transport, LimitsProperties limits,
             java.util.function.Supplier<Services> services) {
        this.address = address;
        this.port = port;
        this.transport = transport;
        this.limits = limits;
        this.services = services;
    }

    /** Binds the public port; requests for Tomcat go to {@code tomcatPort} on the loopback. */
    synchronized void start(int tomcatPort) {
        if (server != null) {
            return;
        }
        app = services.get();
        tomcat = new InetSocketAddress(InetAddress.getLoopbackAddress(), tomcatPort);
        inlineBudgetNanos = transport.inlineBudget().toNanos();
        bodyReadTimeoutNanos = limits.bodyReadTimeout().toNanos();
        MeterRegistry m = app.meters();
        inline = requests(m, "inline");
        pool = requests(m, "request_thread");
        forwardedElsewhere = requests(m, "forwarded");
        moved = requests(m, "moved");
        grouped = requests(m, "grouped");
        ledOnLoop = requests(m, "led_on_loop");
        socketsOpened = Counter.builder("worker.sql.front.websocket.connections")
                .description("Hrana WebSocket connections the SQL port's front opened and serves itself")
                .register(m);
        socketReadsInline = Counter.builder("worker.sql.front.websocket.inline")
                .description("Hrana WebSocket reads the front's event loop ran in place (an idle stream outside a"
                        + " transaction, within inline-budget)")
                .register(m);
        socketStreamsInline = Counter.builder("worker.sql.front.websocket.streams.inline")
                .description("Hrana WebSocket streams the front's event loop opened or closed in place (a database"
                        + " already open; a stream holding no transaction)")
                .register(m);
        socketWritesGrouped = socketWrites(m, "grouped");
        socketWritesLed = socketWrites(m, "led_on_loop");
        relayedConnections = Counter.builder("worker.sql.front.relayed.connections")
                .description("connections of the SQL port handed to Tomcat byte for byte, for good (a request the front"
                        + " cannot frame: chunked, Expect, a WebSocket handshake it does not take, anything malformed)")
                .register(m);
        passedRequests = Counter.builder("worker.sql.front.tomcat.requests")
                .description("requests the SQL port's front passed to Tomcat one at a time (all but the Hrana"
                        + " pipelines it serves)")
                .register(m);
        refusedConnections = Counter.builder("worker.sql.front.refused.connections")
                .description("connections closed at once because max-connections were open").register(m);
        m.gauge("worker.sql.front.connections", connections);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        socketType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        Class<? extends ServerSocketChannel> serverType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        int threads = transport.effectiveEventLoops();
        loops = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("sql-loop", true), io);
        int max = transport.maxConnections();
        ServerBootstrap b = new ServerBootstrap()
                .group(loops)
                .channel(serverType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // a client may half-close after its request and still expect the answer (FrontConnection#inputShut)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > max) {
                            connections.decrementAndGet();
                            refusedConnections.increment();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        ch.pipeline().addLast(IDLE, new IdleStateHandler(KEEP_ALIVE_SECONDS, 0, 0));
                        ch.pipeline().addLast(new FrontConnection(SqlFront.this));
                    }
                });
        try {
            server = b.bind(new InetSocketAddress(address, port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the SQL port", e);
        } catch (RuntimeException e) {
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        log.info("SQL port {} on an event loop ({} threads, {}), Tomcat behind it on {}; inline budget {} µs",
                port(), threads, epoll ? "epoll" : "nio", tomcat, inlineBudgetNanos / 1000);
    }

    private static Counter socketWrites(MeterRegistry m, String where) {
        return Counter.builder("worker.sql.front.websocket.writes").tag("ran", where)
                .description("single autocommit Hrana WebSocket writes the front's event loop queued for their group"
                        + " commit (an idle stream outside a transaction): grouped = answered by the group's leader,"
                        + " led_on_loop = the loop led the group itself (nothing else had sent it anything for a second)")
                .register(m);
    }

    private static Counter requests(MeterRegistry m, String where) {
        return Counter.builder("worker.sql.front.requests").tag("ran", where)
                .description("Hrana pipelines the SQL port served itself: inline = on the event loop, request_thread ="
                        + " on a request thread, moved = tried on the loop, then run again on a request thread,"
                        + " grouped = a single autocommit write admitted on the loop and answered by its group commit's"
                        + " leader, led_on_loop = such a write whose group the loop led itself (nothing else had"
                        + " sent it anything for a second), forwarded = sent on to the worker hosting the database")
                .register(m);
    }

    /** Stops accepting; open connections are closed with the loops. */
    synchronized void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
            server = null;
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            loops = null;
        }
    }

    /** Stops accepting new connections (graceful shutdown: Tomcat then finishes what it has). */
    synchronized void stopAccepting() {
        if (server != null) {
            server.close().syncUninterruptibly();
            server = null;
        }
    }

    /** The bound port (the configured one before start). */
    int port() {
        Channel s = server;
        return s != null && s.localAddress() instanceof InetSocketAddress a ? a.getPort() : port;
    }

    /** Authenticates from a head alone; throws what the authenticator throws (401, 403 and the like). */
    Access authenticate(String authorization, String host, String remoteIp) {
        return app.controller().authenticate(authorization, host, remoteIp);
    }

    Forwarding forwarding() {
        return app.forwarding();
    }

    HranaService hrana() {
        return app.hrana();
    }

    Executor requestThreads() {
        return app.requestThreads();
    }

    long maxBodyBytes() {
        return app.bodies().maxBytes();
    }

    long bodyReadTimeoutNanos() {
        return bodyReadTimeoutNanos;
    }

    ApiException tooSlow() {
        return app.bodies().tooSlow();
    }

    long inlineBudgetNanos() {
        return inlineBudgetNanos;
    }

    InetSocketAddress tomcat() {
        return tomcat;
    }

    Class<? extends SocketChannel> socketType() {
        return socketType;
    }

    void servedInline() {
        inline.increment();
    }

    void servedOnPool() {
        pool.increment();
    }

    void movedOffLoop() {
        moved.increment();
    }

    void queuedForGroup() {
        grouped.increment();
    }

    void ledOnLoop() {
        ledOnLoop.increment();
    }

    void socketOpened() {
        socketsOpened.increment();
    }

    void socketReadInline() {
        socketReadsInline.increment();
    }

    void socketStreamInline() {
        socketStreamsInline.increment();
    }

    void socketWriteQueued(boolean ledOnLoop) {
        (ledOnLoop ? socketWritesLed : socketWritesGrouped).increment();
    }

    HranaSocketSession.Services socketServices() {
        return app.sockets();
    }

    int maxSocketMessageBytes() {
        return app.maxSocketMessageBytes();
    }

    int maxSocketRequestsInFlight() {
        return app.maxSocketRequestsInFlight();
    }

    /** On a connection's event loop, for every read from it. */
    void readFrom(Object connection) {
        LoopActivity a = ACTIVITY.get();
        if (a.last != connection) {
            a.last = connection;
            a.since = System.nanoTime();
        }
    }

    /**
     * Whether the current event loop has read from {@code connection} alone for {@link #SOLE_SENDER_NANOS}: the loop may
     * then block on that connection's write, since nobody else is likely to wait for it meanwhile (and who does waits
     * at most one write, as behind an inline read).
     */
    boolean soleSender(Object connection) {
        LoopActivity a = ACTIVITY.get();
        return a.last == connection && System.nanoTime() - a.since >= SOLE_SENDER_NANOS;
    }

    void forwardedElsewhere() {
        forwardedElsewhere.increment();
    }

    void relayed() {
        relayedConnections.increment();
    }

    void forwarded() {
        passedRequests.increment();
    }
}
