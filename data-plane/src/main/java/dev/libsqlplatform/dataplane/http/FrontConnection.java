package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.forwarding.Forwarding;
import dev.libsqlplatform.contract.internalapi.DatabaseRoute;
import dev.libsqlplatform.dataplane.hrana.Access;
import dev.libsqlplatform.dataplane.hrana.HranaJson;
import dev.libsqlplatform.dataplane.hrana.Proto;
import dev.libsqlplatform.dataplane.storage.InlineRun;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of the SQL port, on its event loop. A Hrana pipeline request ({@link FrontRequest}) is
 * authenticated from its head, before its body is awaited; a read-only pipeline on a stream of its own then runs right
 * here, on the event loop, under {@link InlineRun}'s budget — no thread hand-off, no wake-up, the answer written
 * before the loop looks at the next socket. Every other pipeline runs on the request threads (it may wait for the
 * writer, hold a baton, run long), and so does a read that gave up on the loop, run again from the start.
 *
 * <p>Everything else is Tomcat's, on a connection to it that this client connection keeps ({@link TomcatRelay}). A
 * request the front can frame ({@link FrontRequest}: a version probe, a cursor, the legacy API, the admin and replication
 * endpoints, a pipeline with a refused token, for another worker's database, or with a body over {@link #MAX_BODY}) is
 * passed on byte for byte and its answer relayed until it ends ({@link ResponseFraming}); then the connection is the
 * front's again, so an official client that probes the version or opens a cursor keeps its pipelines on the fast path.
 * A request it cannot frame (chunked, Expect, a WebSocket upgrade, anything malformed) makes the whole connection a byte
 * pipe to Tomcat for good. Either way Tomcat gives exactly the answers it always gave.
 *
 * <p>HTTP/1.1 pipelining is kept in order: while an answer is being computed (on a request thread, or by Tomcat) the
 * connection reads nothing more, and the bytes already read wait.
 */
final class FrontConnection extends ChannelInboundHandlerAdapter {
    private enum State { HEAD, BODY, BUSY, FORWARD, RELAY }

    private static final byte[] HTTP11 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK_JSON_HEAD = ("HTTP/1.1 200 \r\nContent-Type: " + HranaController.JSON
            + "\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON_HEAD = (" \r\nContent-Type: " + HranaController.JSON + "\r\nContent-Length: ")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_KEEP = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_CLOSE = "\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Bodies up to this size are awaited here, whole; a longer one goes to Tomcat (which reads it on a request thread
     * and refuses it over max-request-bytes), so a connection holds at most this much of a body in the front's memory.
     */
    static final int MAX_BODY = 64 * 1024;
    /**
     * How long a connection closed after an answer keeps reading what its client still sends (nginx lingers up to 30 s,
     * at most 5 s between reads): enough for a client on the loopback or a LAN to finish a refused body of megabytes,
     * short enough that lingering connections do not pile up.
     */
    static final long LINGER_MILLIS = 2_000;

    private final SqlFront front;
    private ByteBuf buf;
    private State state = State.HEAD;
    private FrontRequest head;
    private Access access;
    /** BODY: the pipeline is for a database another worker hosts: its body goes there. */
    private DatabaseRoute route;
    private ScheduledFuture<?> timer;
    /** This connection's connection to Tomcat, once one was needed (null while it is being made, or closed). */
    private Channel relay;
    private boolean connecting;
    /** FORWARD: bytes of the request still to pass to Tomcat; the answer's framing. */
    private long toForward;
    private ResponseFraming awaited;
    private ChannelHandlerContext ctx;
    private boolean closing;
    /** The client half-closed: nothing more will come, close after the answer in progress. */
    private boolean inputShut;
    private String remoteIp;
    private int localPort;
    private int remotePort;

    FrontConnection(SqlFront front) {
        this.front = front;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress r) {
            remoteIp = r.getAddress() == null ? null : r.getAddress().getHostAddress();
            remotePort = r.getPort();
        }
        if (ctx.channel().localAddress() instanceof InetSocketAddress l) {
            localPort = l.getPort();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        front.readFrom(this);
        ByteBuf in = (ByteBuf) msg;
        if (closing) {
            in.release();
            return;
        }
        if (state == State.RELAY && relay != null) {
            relay.write(in);
            return;
        }
        append(ctx.alloc(), in);
        if (state == State.HEAD || state == State.BODY) {
            drain(ctx);
        } else if (state == State.FORWARD) {
            pump(ctx);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // not while lingering (closeAfter): the relay may be closing, never writable again, and this side must read on
        if ((state == State.RELAY || state == State.FORWARD) && relay != null && !closing) {
            relay.flush();
            if (!relay.isWritable()) {
                ctx.channel().config().setAutoRead(false); // Tomcat's side lets us read again when it drained
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // whatever the state now: Tomcat's side was paused while this side could not take its answer, and an answer
        // that ended meanwhile must not leave it paused for the next one (it would never be read)
        if (relay != null && ctx.channel().isWritable()) {
            relay.config().setAutoRead(true);
        }
        if ((state == State.HEAD || state == State.BODY) && ctx.channel().isWritable()) {
            resume(ctx); // drain() stopped for a client that did not read its answers
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseBuffer();
        if (relay != null) {
            relay.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // idle between requests for the keep-alive timeout, as Tomcat closes them
        if (evt instanceof IdleStateEvent && state == State.HEAD && (buf == null || !buf.isReadable())) {
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            inputShut(ctx);
        }
    }

    /**
     * The client closed its side (half-closed connections are allowed, so that what was asked still gets its answer):
     * requests that arrived whole are still answered, in order; a relayed connection passes the close on to Tomcat.
     */
    private void inputShut(ChannelHandlerContext ctx) {
        inputShut = true;
        if (closing) {
            ctx.close(); // lingering after the last answer (closeAfter): the client is done too
            return;
        }
        if (state == State.RELAY) {
            if (relay != null) {
                shutdownAfterWrites(relay); // a byte pipe: Tomcat sees the half-close as the client made it
            }
        } else if (state == State.FORWARD && toForward > (buf == null ? 0 : buf.readableBytes())) {
            // the body being passed on ends short: answered here as Tomcat answers it (Tomcat, getting the request
            // and the close together from the relay, resets instead), and Tomcat's half of the request is dropped
            if (relay != null) {
                relay.close();
            }
            awaited = null;
            state = State.BODY;
            endOfInput(ctx);
        } else if (state == State.FORWARD) {
            if (relay != null && toForward == 0) {
                // as if the client had half-closed towards Tomcat itself: Tomcat still answers, and its client watch
                // sees the connection leave ESTABLISHED and ends a statement still running for it
                shutdownAfterWrites(relay);
            } // else pump() passes the close on once the whole request is out
        } else if (state != State.BUSY) {
            endOfInput(ctx); // every whole request was taken already: drain() runs on every read
        }
    }

    /** Passes the client's half-close on to Tomcat once everything written before it is out (not before: lost). */
    private static void shutdownAfterWrites(Channel relay) {
        relay.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (relay instanceof DuplexChannel d && relay.isActive()) {
                d.shutdownOutput();
            }
        });
    }

    /** Nothing more will come and no whole request is left: a body cut short gets Tomcat's 400, then the close. */
    private void endOfInput(ChannelHandlerContext ctx) {
        if (closing) {
            return;
        }
        if (state == State.BODY) {
            cancelTimer();
            answer(ctx, error(ctx.alloc(), TomcatBodyErrors.truncated(), true), true);
            return;
        }
        closeAfter(ctx, ctx.writeAndFlush(Unpooled.EMPTY_BUFFER));
    }

    /**
     * Closes the connection once {@code written} (the last answer) is out, lingering ({@link LingeringClose}) for a
     * client that may still be sending: a body refused before its end, pipelined requests.
     */
    private void closeAfter(ChannelHandlerContext ctx, ChannelFuture written) {
        if (closing) {
            return; // Tomcat's side closing after the answer that closes this side already
        }
        closing = true; // from now on channelRead drops what comes
        cancelTimer();
        releaseBuffer();
        LingeringClose.after(written, LINGER_MILLIS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // connection reset and the like: nothing to answer
    }

    private void append(ByteBufAllocator alloc, ByteBuf in) {
        if (buf == null) {
            buf = in;
            return;
        }
        if (!buf.isReadable()) {
            buf.release();
            buf = in;
            return;
        }
        if (!(buf instanceof CompositeByteBuf)) {
            CompositeByteBuf c = alloc.compositeBuffer(Integer.MAX_VALUE);
            c.addComponent(true, buf);
            buf = c;
        }
        ((CompositeByteBuf) buf).addComponent(true, in);
    }

    private void releaseBuffer() {
        if (buf != null) {
            buf.release();
            buf = null;
        }
    }

    /** Takes as many whole requests off the buffer as are there and the state allows. */
    private void drain(ChannelHandlerContext ctx) {
        while (!closing && buf != null && buf.isReadable()) {
            if (!ctx.channel().isWritable()) {
                // a client that sends and does not read: no more answers pile up here until it takes those it has
                ctx.channel().config().setAutoRead(false);
                return;
            }
            if (state == State.HEAD) {
                int from = buf.readerIndex();
                int end = FrontRequest.headEnd(buf, from);
                if (end == -1) {
                    waitForMore(ctx, false);
                    return;
                }
                cancelTimer();
                FrontRequest h = end < 0 ? null : FrontRequest.parse(buf, from, end);
                if (h == null) {
                    SocketHandshake ws = end < 0 ? null : SocketHandshake.parse(buf, from, end);
                    if (ws != null) {
                        openSocket(ctx, ws, end);
                    } else {
                        relayForGood(ctx);
                    }
                    return;
                }
                if (!h.pipeline() || h.contentLength() > Math.min(MAX_BODY, front.maxBodyBytes())) {
                    forward(ctx, h);
                    return;
                }
                Access a;
                try {
                    a = front.authenticate(h.authorization(), h.host(), remoteIp);
                } catch (ApiException e) {
                    if (e.code() == ErrorCode.UNAUTHORIZED) {
                        lookUpElsewhere(ctx, h, e); // a database this worker does not host, or a bad token
                    } else {
                        forward(ctx, h); // Tomcat answers it (403 for an address not allowed, and the like)
                    }
                    return;
                }
                head = h;
                access = a;
                state = State.BODY;
            }
            if (state == State.BODY) {
                long need = head.headLength() + head.contentLength();
                if (buf.readableBytes() < need) {
                    waitForMore(ctx, true);
                    return;
                }
                cancelTimer();
                byte[] body = new byte[(int) head.contentLength()];
                buf.getBytes(buf.readerIndex() + head.headLength(), body);
                buf.skipBytes((int) need);
                if (buf instanceof CompositeByteBuf c) {
                    c.discardReadComponents(); // a pipelining client's buffer must not grow with every request
                }
                FrontRequest h = head;
                Access a = access;
                DatabaseRoute r = route;
                head = null;
                access = null;
                route = null;
                state = State.BUSY;
                if (r != null) {
                    sendElsewhere(ctx, h, r, body);
                } else {
                    serve(ctx, h, a, body);
                }
                if (state == State.BUSY) {
                    ctx.channel().config().setAutoRead(false);
                    return;
                }
            } else {
                return;
            }
        }
        if (buf != null && !buf.isReadable()) {
            releaseBuffer();
        }
        if (inputShut && (state == State.HEAD || state == State.BODY)) {
            endOfInput(ctx);
        }
    }

    /** The head or body is not all here: it has until the deadline, unless the client already closed its side. */
    private void waitForMore(ChannelHandlerContext ctx, boolean body) {
        if (inputShut) {
            endOfInput(ctx);
        } else {
            armTimer(ctx, front.bodyReadTimeoutNanos(), body);
        }
    }

    private void serve(ChannelHandlerContext ctx, FrontRequest h, Access a, byte[] body) {
        Proto.PipelineRequest req;
        try {
            req = HranaJson.readPipeline(body);
        } catch (RuntimeException e) {
            answer(ctx, error(ctx.alloc(), e, h.close()), h.close());
            return;
        }
        boolean close = h.close();
        boolean onLoop = front.inlineBudgetNanos() > 0;
        if (onLoop && front.hrana().readsOnOwnStream(req)) {
            InlineRun run = InlineRun.begin(System.nanoTime() + front.inlineBudgetNanos());
            ByteBuf answer;
            try {
                answer = run(ctx.alloc(), a, req, h.close());
            } finally {
                run.end();
            }
            if (!run.gaveUp()) {
                front.servedInline();
                answer(ctx, answer, h.close());
                return;
            }
            answer.release(); // what came of a run that gave up is discarded: it runs again below
            front.movedOffLoop();
        } else if (onLoop && front.hrana().writesOnOwnStream(req) && queueFromLoop(ctx, a, req, close)) {
            return;
        } else {
            front.servedOnPool();
        }
        Channel ch = ctx.channel();
        onRequestThreadAsync(ctx, then -> {
            // one autocommit write (its database was not open yet): it waits for its group commit without holding this
            // thread, and is answered from the thread that led its group
            if (runGrouped(ch.alloc(), a, req, close, null,
                    answer -> then.accept(() -> answerAndResume(ctx, answer, close)))) {
                return;
            }
            ClientWatch.begin(localPort, remotePort);
            ByteBuf answer;
            try {
                answer = run(ch.alloc(), a, req, close);
            } finally {
                ClientWatch.done();
            }
            then.accept(() -> answerAndResume(ctx, answer, close));
        });
    }

    private void answerAndResume(ChannelHandlerContext ctx, ByteBuf answer, boolean close) {
        answer(ctx, answer, close);
        resume(ctx);
    }

    /**
     * A single autocommit write, admitted on the loop (the same checks as on a request thread, all in memory) and queued
     * for its database's group commit; the group's leader, a request thread, answers it after the COMMIT. No request
     * thread is woken for the write itself: a group of N writes costs one wake-up, not N hand-offs and N parked
     * threads. When this loop has read from no other connection for a while ({@link SqlFront#soleSender}), nobody is
     * likely to wait for it: it leads the group itself when the writer is free (the statement under the inline budget,
     * then the frame log's fsync), so a lone client's write costs no hand-off at all (two fewer wake-ups: to a request
     * thread and back), and its answer is written at once, like an inline read's (reading is not paused for it: two
     * fewer epoll_ctl calls). False, nothing done, when admission would block (the database is not open yet): a request
     * thread takes it.
     */
    private boolean queueFromLoop(ChannelHandlerContext ctx, Access a, Proto.PipelineRequest req, boolean close) {
        Channel ch = ctx.channel();
        InlineRun run = InlineRun.begin(System.nanoTime() + front.inlineBudgetNanos(), front.soleSender(this));
        // an answer given on this thread before runGrouped returned (led here, or refused); loop thread only
        ByteBuf[] now = {null};
        boolean[] inCall = {true};
        boolean queued;
        try {
            queued = runGrouped(ch.alloc(), a, req, close, run, answer -> {
                if (inCall[0] && ch.eventLoop().inEventLoop()) {
                    now[0] = answer;
                } else {
                    ch.eventLoop().execute(() -> answerAndResume(ctx, answer, close));
                }
            });
        } finally {
            inCall[0] = false;
            run.end();
        }
        if (!queued) {
            return false;
        }
        if (run.ledWrites()) {
            front.ledOnLoop();
        } else {
            front.queuedForGroup();
        }
        if (now[0] != null) {
            answer(ctx, now[0], close);
        } // else the answer comes from the group's leader: drain() pauses reading until it went out
        return true;
    }

    /**
     * {@link #run} of a single autocommit write through the group commit's asynchronous path; false when it cannot
     * take that path (nothing done). {@code answered} gets the encoded answer exactly once. {@code run}: the loop's
     * inline run, or null on a request thread; when it gave up, nothing was queued and false is returned.
     */
    private boolean runGrouped(ByteBufAllocator alloc, Access a, Proto.PipelineRequest req, boolean close,
                               InlineRun run, java.util.function.Consumer<ByteBuf> answered) {
        try {
            return front.hrana().pipelineGrouped(a, req, front.requestThreads(), (out, failure) -> {
                ByteBuf answer;
                try {
                    answer = failure != null ? error(alloc, failure, close) : encode(alloc, out, close);
                } catch (RuntimeException e) {
                    answer = error(alloc, e, close);
                }
                answered.accept(answer);
            });
        } catch (RuntimeException e) {
            if (run != null && run.gaveUp()) {
                return false; // the database is not open: nothing was queued, a request thread admits it again
            }
            answered.accept(error(alloc, e, close)); // refused before it was submitted (e.g. too many streams)
            return true;
        }
    }

    /** Runs the pipeline and encodes what came of it, its result or its error. */
    private ByteBuf run(ByteBufAllocator alloc, Access a, Proto.PipelineRequest req, boolean close) {
        Proto.PipelineResponse out;
        try {
            out = front.hrana().pipeline(a, req);
        } catch (RuntimeException e) {
            return error(alloc, e, close);
        }
        return encode(alloc, out, close);
    }

    /**
     * A pipeline whose token this worker refused: it may name a database another worker hosts. The route is looked up on
     * a request thread (it may ask the control plane); without one the refusal is answered, before any of the body is
     * read, and the connection closes (as Tomcat answers it); with one the body is awaited and sent there.
     */
    private void lookUpElsewhere(ChannelHandlerContext ctx, FrontRequest h, ApiException refusal) {
        state = State.BUSY;
        Channel ch = ctx.channel();
        Forwarding.Incoming in = new Forwarding.Incoming(h.authorization(), h.host(), remoteIp, false);
        onRequestThread(ctx, () -> {
            Optional<DatabaseRoute> r;
            try {
                r = front.forwarding().target(in);
            } catch (RuntimeException e) {
                return () -> answer(ctx, error(ch.alloc(), e, true), true);
            }
            if (r.isEmpty()) {
                return () -> answer(ctx, error(ch.alloc(), refusal, true), true);
            }
            return () -> {
                head = h;
                route = r.get();
                state = State.BODY;
                resume(ctx);
            };
        });
    }

    /** The whole pipeline to the worker hosting its database; that worker's answer goes to the client as it is. */
    private void sendElsewhere(ChannelHandlerContext ctx, FrontRequest h, DatabaseRoute r, byte[] body) {
        front.forwardedElsewhere();
        Channel ch = ctx.channel();
        Forwarding.Incoming in = new Forwarding.Incoming(h.authorization(), h.host(), remoteIp, false);
        onRequestThread(ctx, () -> {
            ByteBuf out;
            try {
                Forwarding.Answer a = front.forwarding().forward(r, in,
                        new Forwarding.Outgoing("POST", h.path(), h.contentType(), body));
                out = passOn(ch.alloc(), a, h.close());
            } catch (RuntimeException e) {
                out = error(ch.alloc(), e, h.close());
            }
            ByteBuf answer = out;
            return () -> {
                answer(ctx, answer, h.close());
                resume(ctx);
            };
        });
    }

    /**
     * Runs {@code work} on a request thread (it may block), then what it returns on this connection's event loop. The
     * connection reads nothing meanwhile.
     */
    private void onRequestThread(ChannelHandlerContext ctx, java.util.function.Supplier<Runnable> work) {
        onRequestThreadAsync(ctx, then -> then.accept(work.get()));
    }

    /**
     * As {@link #onRequestThread}, for work that may finish on another thread: it hands what is to run on the event loop
     * to the consumer it is given, once, from whichever thread it ends on.
     */
    private void onRequestThreadAsync(ChannelHandlerContext ctx,
                                      java.util.function.Consumer<java.util.function.Consumer<Runnable>> work) {
        Channel ch = ctx.channel();
        ch.config().setAutoRead(false);
        try {
            // the continuation runs even when the client left meanwhile: a write to a closed channel releases its
            // buffer, and resume() reads nothing more
            front.requestThreads().execute(() -> work.accept(ch.eventLoop()::execute));
        } catch (RejectedExecutionException e) {
            answer(ctx, error(ch.alloc(), new ApiException(ErrorCode.DATABASE_UNAVAILABLE,
                    "the worker is shutting down"), true), true);
        }
    }

    /** After an answer: read on, and take the next request already here. */
    private void resume(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (!closing && ch.isActive()) {
            ch.config().setAutoRead(true);
            drain(ctx);
        }
    }

    /** Another worker's answer, status, type and body as they came. */
    private static ByteBuf passOn(ByteBufAllocator alloc, Forwarding.Answer a, boolean close) {
        byte[] body = a.body() == null ? new byte[0] : a.body();
        ByteBuf out = alloc.buffer(body.length + 128);
        out.writeBytes(HTTP11);
        writeDecimal(out, a.status());
        out.writeCharSequence(" \r\n", StandardCharsets.US_ASCII);
        if (a.contentType() != null && a.contentType().indexOf('\r') < 0 && a.contentType().indexOf('\n') < 0) {
            out.writeCharSequence("Content-Type: " + a.contentType() + "\r\n", StandardCharsets.ISO_8859_1);
        }
        out.writeCharSequence("Content-Length: ", StandardCharsets.US_ASCII);
        writeDecimal(out, body.length);
        out.writeBytes(close ? END_CLOSE : END_KEEP);
        out.writeBytes(body);
        return out;
    }

    /** Writes a complete answer; the connection then reads its next request, or closes. */
    private void answer(ChannelHandlerContext ctx, ByteBuf answer, boolean close) {
        state = State.HEAD;
        ChannelFuture f = ctx.writeAndFlush(answer);
        if (close) {
            closeAfter(ctx, f);
        }
    }

    /** A 200 with the pipeline's results as JSON (an error answer when they cannot be written). */
    private static ByteBuf encode(ByteBufAllocator alloc, Proto.PipelineResponse out, boolean close) {
        ByteBuf body = alloc.buffer(256);
        try {
            HranaJson.writePipeline(out, new ByteBufOutputStream(body));
        } catch (RuntimeException e) {
            body.release();
            return error(alloc, e, close);
        }
        ByteBuf headBuf = alloc.buffer(OK_JSON_HEAD.length + 40);
        headBuf.writeBytes(OK_JSON_HEAD);
        writeDecimal(headBuf, body.readableBytes());
        headBuf.writeBytes(close ? END_CLOSE : END_KEEP);
        return alloc.compositeBuffer(2).addComponents(true, headBuf, body);
    }

    /** The answer {@link ErrorResponses} gives to {@code e}, as bytes. */
    private static ByteBuf error(ByteBufAllocator alloc, Throwable e, boolean close) {
        ErrorResponses.Answer a = ErrorResponses.answer(e);
        byte[] body = ErrorResponses.json(a.message(), a.code());
        ByteBuf out = alloc.buffer(body.length + 96);
        out.writeBytes(HTTP11);
        writeDecimal(out, a.status());
        out.writeBytes(JSON_HEAD);
        writeDecimal(out, body.length);
        out.writeBytes(close ? END_CLOSE : END_KEEP);
        out.writeBytes(body);
        return out;
    }

    private static void writeDecimal(ByteBuf out, long v) {
        out.writeCharSequence(Long.toString(v), StandardCharsets.US_ASCII);
    }

    /**
     * Arms the head or body deadline once per request: the head must be complete, and then the body, within
     * body-read-timeout of their first byte (as {@link RequestBodies} bounds a body Tomcat reads).
     */
    private void armTimer(ChannelHandlerContext ctx, long nanos, boolean body) {
        if (timer != null) {
            return;
        }
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (closing || !ctx.channel().isActive()) {
                return;
            }
            if (body && state == State.BODY) {
                answer(ctx, error(ctx.alloc(), front.tooSlow(), true), true);
            } else if (!body && state == State.HEAD) {
                ctx.close(); // a head that never completes: Tomcat closes such a connection without an answer
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Passes one request to Tomcat; its answer comes back through {@link TomcatSide}. */
    private void forward(ChannelHandlerContext ctx, FrontRequest h) {
        state = State.FORWARD;
        toForward = h.headLength() + h.contentLength();
        awaited = new ResponseFraming(h.headRequest());
        front.forwarded();
        withTomcat(ctx);
    }

    /** Passes on what there is of the request being forwarded; the next one waits until its answer is complete. */
    private void pump(ChannelHandlerContext ctx) {
        if (relay == null) {
            return; // being connected: pumped once it is
        }
        if (!relay.config().isAutoRead() && ctx.channel().isWritable()) {
            relay.config().setAutoRead(true); // the answer must be read
        }
        if (toForward > 0 && buf != null && buf.isReadable()) {
            int n = (int) Math.min(toForward, buf.readableBytes());
            relay.write(buf.readRetainedSlice(n));
            toForward -= n;
            if (!buf.isReadable()) {
                releaseBuffer();
            } else if (buf instanceof CompositeByteBuf c) {
                c.discardReadComponents();
            }
        }
        relay.flush();
        if (toForward == 0) {
            ctx.channel().config().setAutoRead(false);
            if (inputShut) {
                shutdownAfterWrites(relay);
            }
        }
    }

    /**
     * A Hrana WebSocket handshake: answered here, and the connection becomes a {@link FrontSocket} for good. A worker
     * relaying the connection (it carries the service secret) names the client's Host and address in headers, and the
     * connection is never relayed again; without the secret those headers are ignored.
     */
    private void openSocket(ChannelHandlerContext ctx, SocketHandshake ws, int headEnd) {
        Channel ch = ctx.channel();
        cancelTimer();
        ByteBuf rest = buf.retainedSlice(headEnd, buf.writerIndex() - headEnd);
        releaseBuffer();
        state = State.RELAY; // nothing of this handler runs any more: it leaves the pipeline below
        boolean relayed = front.forwarding().trusted(ws.forwardedBy());
        String host = relayed && ws.forwardedHost() != null ? ws.forwardedHost() : ws.host();
        String client = relayed && ws.forwardedFor() != null ? ws.forwardedFor() : remoteIp;
        String subprotocol = HranaSocketConfig.negotiate(ws.protocols());
        dropKeepAliveTimeout(ch); // the socket's idle timeout is the service's (websocket.idle-timeout)
        ctx.writeAndFlush(ws.answer(ctx.alloc(), subprotocol));
        FrontSocket.install(ch, ctx, front, host, client, relayed, subprotocol, rest);
    }

    /** From now on the connection is Tomcat's, byte for byte; what was read so far goes there first. */
    private void relayForGood(ChannelHandlerContext ctx) {
        state = State.RELAY;
        cancelTimer();
        head = null;
        access = null;
        front.relayed();
        dropKeepAliveTimeout(ctx.channel()); // Tomcat keeps its own timeouts, WebSocket's included
        withTomcat(ctx);
    }

    /** The connection stops being an HTTP connection of the front's: its keep-alive timeout no longer applies. */
    private static void dropKeepAliveTimeout(Channel ch) {
        if (ch.pipeline().get(SqlFront.IDLE) != null) {
            ch.pipeline().remove(SqlFront.IDLE);
        }
    }

    /** Sends what waits for Tomcat, connecting first when this connection has no connection to it. */
    private void withTomcat(ChannelHandlerContext ctx) {
        if (relay != null) {
            sendWaiting(ctx);
            return;
        }
        if (connecting) {
            return;
        }
        connecting = true;
        Channel ch = ctx.channel();
        ch.config().setAutoRead(false);
        TomcatRelay.open(ch, front.tomcat(), front.socketType(), new TomcatSide(), server -> {
            connecting = false;
            if (server == null || !ch.isActive()) {
                if (server != null) {
                    server.close();
                }
                releaseBuffer();
                ch.close();
                return;
            }
            relay = server;
            ch.config().setAutoRead(true);
            sendWaiting(ctx);
        });
    }

    private void sendWaiting(ChannelHandlerContext ctx) {
        if (state == State.FORWARD) {
            pump(ctx);
        } else if (state == State.RELAY) {
            if (buf != null) {
                ByteBuf pending = buf;
                buf = null;
                relay.writeAndFlush(pending);
            }
            if (inputShut) {
                shutdownAfterWrites(relay);
            }
        }
    }

    /** Tomcat's side of this connection: answers relayed to the client, one at a time or byte for byte. */
    private final class TomcatSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext tc, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            Channel client = ctx.channel();
            if (state == State.RELAY) {
                client.write(in);
                return;
            }
            if (state != State.FORWARD || awaited == null) {
                in.release(); // Tomcat never speaks unasked
                tc.close();
                return;
            }
            int n;
            try {
                n = awaited.feed(in);
            } catch (RuntimeException e) {
                in.release();
                tc.close();
                client.close();
                return;
            }
            if (n < in.readableBytes() && !awaited.upgraded()) {
                in.release(); // more than one answer to one request
                tc.close();
                client.close();
                return;
            }
            client.write(in);
            if (awaited.done()) {
                answered(tc);
            }
        }

        private void answered(ChannelHandlerContext tc) {
            Channel client = ctx.channel();
            client.flush();
            ResponseFraming done = awaited;
            awaited = null;
            if (done.upgraded()) {
                relayForGood(ctx); // a 101: the connection speaks another protocol with Tomcat now
                client.config().setAutoRead(true);
                return;
            }
            if (done.closes()) {
                closeAfter(ctx, client.writeAndFlush(Unpooled.EMPTY_BUFFER));
                tc.close();
                return;
            }
            state = State.HEAD;
            if (client.isActive()) {
                client.config().setAutoRead(true);
                drain(ctx);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext tc) {
            Channel client = ctx.channel();
            client.flush();
            if (!client.isWritable() && (state == State.RELAY || state == State.FORWARD)) {
                tc.channel().config().setAutoRead(false); // the client's side lets Tomcat's be read again when drained
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext tc) {
            if (tc.channel().isWritable() && (state == State.RELAY || state == State.FORWARD && toForward > 0)) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext tc) {
            if (relay == tc.channel()) {
                relay = null;
            }
            if (state == State.RELAY || state == State.FORWARD) {
                // an answer that runs until the close ends here; any other is cut short: the client sees the close
                closeAfter(ctx, ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER));
            }
            // otherwise an idle connection to Tomcat timed out: the next request opens another
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext tc, Throwable cause) {
            tc.close();
        }
    }
}
