package dev.libsqlplatform.dataplane.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SQL port's front's connections to Tomcat, which listens on a loopback port of its own ({@link FrontConnection}
 * passes it requests one at a time, or a whole connection byte for byte). Tomcat sees the relay's loopback address; the
 * client's is kept here under the relay connection's local port for as long as it is open, and restored on Tomcat's
 * side ({@link #clientOf}) for IP allow-lists and forwarding. A process on
 * this host connecting to Tomcat's port directly cannot borrow an entry: a port pair on the loopback belongs to one
 * connection at a time.
 */
final class TomcatRelay {
    /** Client addresses by the relay connection's local port (Tomcat's remote port). */
    private static final Map<Integer, String> CLIENTS = new ConcurrentHashMap<>();

    private TomcatRelay() {
    }

    /** Whether any relayed connection is open (Tomcat's side then looks its connections up). */
    static boolean relaying() {
        return !CLIENTS.isEmpty();
    }

    /**
     * The address of the client a relayed connection carries, or null when the connection Tomcat sees
     * ({@code remoteAddress}:{@code remotePort}) is not one of the relay's.
     */
    static String clientOf(String remoteAddress, int remotePort) {
        if (CLIENTS.isEmpty() || remoteAddress == null) {
            return null;
        }
        String client = CLIENTS.get(remotePort);
        return client != null && isLoopback(remoteAddress) ? client : null;
    }

    /** {@link #clientOf(String, int)} for a socket address (the WebSocket session's). */
    static String clientOf(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a && a.getAddress() != null) {
            return clientOf(a.getAddress().getHostAddress(), a.getPort());
        }
        return null;
    }

    private static boolean isLoopback(String address) {
        return address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1");
    }

    /**
     * Opens a connection to Tomcat for {@code client}, on the client's event loop, with {@code handler} reading Tomcat's
     * side; then calls {@code connected} with it (null when Tomcat could not be reached). While it is open, Tomcat's
     * side of it sees the client's address ({@link #clientOf}).
     */
    static void open(Channel client, InetSocketAddress tomcat, Class<? extends SocketChannel> type,
                     ChannelHandler handler, java.util.function.Consumer<Channel> connected) {
        String clientAddress = client.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
        Bootstrap b = new Bootstrap()
                .group(client.eventLoop())
                .channel(type)
                .option(ChannelOption.TCP_NODELAY, true)
                // a write refused by Tomcat's reset (Tomcat closes without draining the rest of a body it refused)
                // must not close this side before Tomcat's answer, already received, is read and relayed
                .option(ChannelOption.AUTO_CLOSE, false)
                .handler(handler);
        b.connect(tomcat).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                connected.accept(null);
                return;
            }
            Channel server = f.channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            if (clientAddress != null) {
                CLIENTS.put(port, clientAddress);
                server.closeFuture().addListener(c -> CLIENTS.remove(port, clientAddress));
            }
            connected.accept(server);
        });
    }
}
