package dev.libsqlplatform.dataplane.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * How the front closes a connection after its last answer (an HTTP answer that closes, a WebSocket close frame): it
 * half-closes (a FIN after the answer) and reads on until the client closes its side too, or a while passed; the
 * caller's handler drops what it reads meanwhile and closes on the client's half-close.
 *
 * <p>Why not close at once: a client may still be sending (a body refused before its end, messages after a close it
 * has not read yet), and the kernel answers a close with unread bytes by a reset, which can overtake the answer before
 * the client read it. The JDK client then lost some of its 413s ("header parser received no bytes") and the official
 * WebSocket client saw 1006 instead of its error. nginx's lingering close, for the same reason.
 */
final class LingeringClose {
    private LingeringClose() {
    }

    /** Once {@code written} is out: the FIN, reading on, and the close after {@code millis} at the latest. */
    static void after(ChannelFuture written, long millis) {
        Channel ch = written.channel();
        written.addListener(f -> {
            if (!f.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel d) || d.isInputShutdown()) {
                ch.close(); // nothing more can come, or nothing more can be said
                return;
            }
            d.shutdownOutput();
            ch.config().setAutoRead(true);
            ch.eventLoop().schedule((Runnable) ch::close, millis, TimeUnit.MILLISECONDS);
        });
    }
}
