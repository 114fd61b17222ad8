package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.hrana.SocketConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Hrana over WebSocket on the SQL port's event loop, after the front answered the handshake
 * ({@link SocketHandshake}): Netty's RFC 6455 frame codec, then this handler, which assembles text messages (bounded by
 * {@code max-message-bytes}) and hands each whole one to its {@link HranaSocketSession}, on the loop: the protocol
 * parses it and runs there only what cannot wait ({@link OnLoop}: opening and closing streams, plain reads of idle
 * streams, queueing single writes for their group commit); the rest goes to the stream's turn on a request thread. Before,
 * the loop relayed the connection byte for byte to Tomcat's container: one more hop for every message (0.75× the
 * messages per second of Tomcat alone, README "Performance").
 *
 * <p>The first message is the exception: a {@code hello} whose token names a database another worker hosts looks its
 * route up, which may ask the control plane; so it is delivered from a request thread, and what arrives meanwhile
 * waits for it, in order (reading goes on, up to {@code max-requests-in-flight} waiting messages).
 *
 * <p>Answers are written from the stream threads, the group commit's leader, or the loop for what it runs itself. A client that does not read
 * them makes the socket unwritable: it is then not read further, the loop runs none of its reads, and a sending thread
 * waits, up to {@link #SEND_STALL_MILLIS}, as Tomcat's blocking send does: a client that stops reading holds its own
 * requests, not the worker's memory.
 */
final class FrontSocket extends ChannelInboundHandlerAdapter {
    /** How long a stream thread waits for a client that does not read its answers before the socket is closed. */
    static final long SEND_STALL_MILLIS = 20_000;
    /** How long after our close frame the client has to close its side before the connection is closed anyway. */
    static final long CLOSE_WAIT_SECONDS = 5;

    private final HranaSocketSession socket;
    private final SqlFront front;
    private final int maxMessageBytes;
    private final Object writable = new Object();
    private Channel channel;
    /** The text message being assembled from its frames, as bytes (a character may straddle two frames). */
    private ByteBuf parts;
    private boolean inText;
    private boolean inBinary;
    private boolean tooLarge;
    /** Messages that arrived while the first one was delivered on a request thread; null once it was. */
    private ArrayDeque<String> waiting = new ArrayDeque<>();
    private boolean firstSent;
    /** Messages that may wait for the first one: the protocol's own bound on requests in flight. */
    private final int maxWaiting;
    /** Our close frame is out (or the client's came): nothing more is delivered. Loop only. */
    private boolean closing;

    private FrontSocket(SqlFront front, String host, String remoteIp, boolean relayed, String subprotocol) {
        this.front = front;
        this.maxMessageBytes = front.maxSocketMessageBytes();
        this.maxWaiting = front.maxSocketRequestsInFlight();
        this.socket = new HranaSocketSession(front.socketServices(), host, remoteIp, relayed, subprotocol, new OnLoop()) {
            @Override
            void sendText(String message) {
                send(message);
            }

            @Override
            void sendTextNoWait(String message) {
                post(new TextWebSocketFrame(message));
            }

            @Override
            void closeSocket(int code, String reason) {
                close(code, reason);
            }
        };
    }

    /** What the loop runs of this socket's requests itself, and counts. */
    private final class OnLoop implements SocketConnection.InPlace {
        @Override
        public long inlineBudgetNanos() {
            // not from the first message's thread, and not while the client is behind with its answers: the loop never
            // waits for it, so its answers would pile up here (a stream thread waits instead, see send)
            return channel.eventLoop().inEventLoop() && channel.isWritable() ? front.inlineBudgetNanos() : 0;
        }

        @Override
        public void ranInline() {
            front.socketReadInline();
        }

        @Override
        public void streamInline() {
            front.socketStreamInline();
        }

        @Override
        public boolean mayLeadWrites() {
            // as for HTTP (FrontConnection.queueFromLoop): only when this loop reads from this connection alone
            return channel.eventLoop().inEventLoop() && front.soleSender(FrontSocket.this);
        }

        @Override
        public void queuedWrite(boolean ledHere) {
            front.socketWriteQueued(ledHere);
        }
    }

    /**
     * Turns {@code ch}, whose handshake was just answered, into a Hrana socket: the frame codec and this handler take
     * the place of {@code current}; {@code rest} (what the client sent after the handshake; consumed) is decoded first.
     */
    static void install(Channel ch, ChannelHandlerContext current, SqlFront front, String host, String remoteIp,
                        boolean relayed, String subprotocol, ByteBuf rest) {
        FrontSocket handler = new FrontSocket(front, host, remoteIp, relayed, subprotocol);
        // one frame may carry a whole message; larger ones are refused by the decoder (1009) before they are buffered
        WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(handler.maxMessageBytes)
                .expectMaskedFrames(true).allowMaskMismatch(false).allowExtensions(false)
                .closeOnProtocolViolation(false).build();
        String name = current.name();
        ch.pipeline().addAfter(name, "ws-decoder", new WebSocket13FrameDecoder(config));
        ch.pipeline().addAfter("ws-decoder", "ws-utf8", new Utf8FrameValidator(false));
        ch.pipeline().addAfter("ws-utf8", "ws-encoder", new WebSocket13FrameEncoder(false));
        ch.pipeline().addAfter("ws-encoder", "hrana-socket", handler);
        ch.pipeline().remove(name);
        if (rest.isReadable()) {
            ch.pipeline().fireChannelRead(rest);
        } else {
            rest.release();
        }
        ch.config().setAutoRead(true);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        front.socketOpened();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        front.readFrom(this);
        try {
            if (closing) {
                return; // our close frame is out: what the client still sends is read and dropped
            }
            if (msg instanceof TextWebSocketFrame t) {
                inText = true;
                text(t);
            } else if (msg instanceof ContinuationWebSocketFrame c) {
                if (inText) {
                    text(c);
                } else if (inBinary && c.isFinalFragment()) {
                    inBinary = false;
                }
            } else if (msg instanceof BinaryWebSocketFrame b) {
                inBinary = !b.isFinalFragment();
                socket.binary();
            } else if (msg instanceof PingWebSocketFrame p) {
                ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame c) {
                closing = true; // the client sends nothing after its close: ours ends the connection
                int code = c.statusCode() < 0 ? 1000 : c.statusCode();
                ctx.writeAndFlush(new CloseWebSocketFrame(code, "")).addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** One frame of a text message. */
    private void text(WebSocketFrame f) {
        boolean last = f.isFinalFragment();
        if (last) {
            inText = false;
        }
        if (tooLarge) {
            tooLarge = !last;
            return;
        }
        ByteBuf content = f.content();
        int size = (parts == null ? 0 : parts.readableBytes()) + content.readableBytes();
        if (size > maxMessageBytes) {
            releaseParts();
            tooLarge = !last;
            close(SocketConnection.CLOSE_TOO_BIG, HranaSocketSession.tooLarge(maxMessageBytes));
            return;
        }
        if (last && parts == null) {
            deliver(content.toString(StandardCharsets.UTF_8));
            return;
        }
        if (parts == null) {
            parts = channel.alloc().buffer(Math.min(maxMessageBytes, content.readableBytes() * 2));
        }
        parts.writeBytes(content);
        if (last) {
            String whole = parts.toString(StandardCharsets.UTF_8);
            releaseParts();
            deliver(whole);
        }
    }

    private void deliver(String text) {
        if (waiting == null) {
            socket.deliver(text);
            return;
        }
        if (waiting.size() >= maxWaiting) {
            close(SocketConnection.CLOSE_POLICY, "more than " + maxWaiting + " messages before the hello was answered");
            return;
        }
        waiting.add(text);
        if (!firstSent) {
            firstSent = true;
            String first = waiting.poll();
            try {
                front.requestThreads().execute(() -> {
                    try {
                        socket.deliver(first);
                    } finally {
                        channel.eventLoop().execute(this::firstDelivered);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                close(SocketConnection.CLOSE_GOING_AWAY, "the worker is shutting down");
            }
        }
    }

    /** On the loop: what waited for the first message goes on in order, then everything is delivered here. */
    private void firstDelivered() {
        ArrayDeque<String> queued = waiting;
        waiting = null;
        if (closing) {
            return; // the hello was refused: what the client sent after it is dropped with the connection
        }
        for (String m : queued) {
            socket.deliver(m);
        }
    }

    private void send(String message) {
        Channel ch = channel;
        if (!ch.isActive()) {
            return;
        }
        if (post(new TextWebSocketFrame(message)) || ch.isWritable()) {
            return; // the loop never waits: its own answers (reads, hello, errors) go out as they can
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_STALL_MILLIS);
        synchronized (writable) {
            while (ch.isActive() && !ch.isWritable()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    close(SocketConnection.CLOSE_GOING_AWAY, "the client did not read its answers for "
                            + SEND_STALL_MILLIS / 1000 + "s");
                    return;
                }
                try {
                    writable.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Writes {@code frame} on the loop, after whatever this thread asked of it before (a close included: nothing follows
     * a close frame), without waiting for the client; true when this is the loop (it was written).
     */
    private boolean post(TextWebSocketFrame frame) {
        Channel ch = channel;
        if (ch.eventLoop().inEventLoop()) {
            write(frame);
            return true;
        }
        ch.eventLoop().execute(() -> write(frame));
        return false;
    }

    /** On the loop: a text frame, unless our close frame went out already. */
    private void write(TextWebSocketFrame frame) {
        if (closing) {
            frame.release();
        } else {
            channel.writeAndFlush(frame);
        }
    }

    /**
     * Sends the close frame, then closes lingering ({@link LingeringClose}) until the client closes its side too, or
     * {@link #CLOSE_WAIT_SECONDS} pass: a reset could take the close frame (and a {@code hello_error} before it) away
     * from the client, which then saw 1006 instead of its error. Any thread.
     */
    private void close(int code, String reason) {
        Channel ch = channel;
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(() -> close(code, reason));
            return;
        }
        if (closing || !ch.isActive()) {
            return;
        }
        closing = true;
        LingeringClose.after(ch.writeAndFlush(new CloseWebSocketFrame(code, HranaSocketSession.closeReason(reason))),
                TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // a client that does not read its answers is not read either until it does (as on HTTP): no more requests
        // pile up behind them; while closing, reading goes on (see close)
        ctx.channel().config().setAutoRead(ctx.channel().isWritable() || closing);
        synchronized (writable) {
            writable.notifyAll();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // the client will send no close frame any more
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException e) {
            int code = e.closeStatus().code();
            close(code, code == SocketConnection.CLOSE_TOO_BIG
                    ? HranaSocketSession.tooLarge(maxMessageBytes) : e.getMessage());
            return;
        }
        ctx.close(); // connection reset and the like: nothing to answer
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseParts();
        synchronized (writable) {
            writable.notifyAll();
        }
        socket.closed();
    }

    private void releaseParts() {
        if (parts != null) {
            parts.release();
            parts = null;
        }
    }
}
