package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.config.WebSocketProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.sql.SqlStatement;
import dev.libsqlplatform.dataplane.sql.StatementKind;
import dev.libsqlplatform.dataplane.storage.InlineRun;
import dev.libsqlplatform.dataplane.storage.Requester;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Hrana over WebSocket connection (HRANA_3_SPEC.md; versions 1 and 2 are subsets of it): authentication by
 * {@code hello} (again at any time with a fresh token), streams by client-chosen id, SQL texts stored per
 * connection, cursors. Transport-free: the transport hands in text messages and implements {@link Peer}.
 *
 * <p>Threads: messages arrive one at a time on the transport's thread, which parses them, authenticates the
 * connection's token again for every request (so an expired or revoked token ends access at the next request; the
 * verified-signature cache makes this a map lookup) and answers what needs no database at once. Everything that
 * runs on a stream is queued on that stream and run by the executor, one request of a stream at a time, streams
 * in parallel: a stream waiting for the writer must not keep the reader of the socket from seeing the COMMIT of the
 * stream holding it (that would stall both until the busy timeout), nor from seeing the socket close (which
 * interrupts the running statements at once). A transport whose thread may run short work in place
 * ({@link InPlace#inlineBudgetNanos}, the SQL port's event loop) also opens and closes streams there, runs plain reads
 * of idle streams there, and queues their single autocommit writes for the group commit from there: what a lone
 * statement of the official client needs costs no stream thread.
 */
public final class SocketConnection {
    private static final Logger log = LoggerFactory.getLogger(SocketConnection.class);
    /**
     * SQL texts one connection may store. @libsql/client keeps up to 100 per connection (its sqlCacheCapacity)
     * and does not recover from SQL_STORE_TOO_MANY, so the bound must be above that.
     */
    static final int MAX_STORED_SQL = 150;
    /** Close codes (RFC 6455). */
    public static final int CLOSE_GOING_AWAY = 1001;
    public static final int CLOSE_PROTOCOL_ERROR = 1002;
    public static final int CLOSE_POLICY = 1008;
    public static final int CLOSE_TOO_BIG = 1009;

    /** What the transport does for the protocol. */
    public interface Peer {
        /** Sends one text message; called from several threads, so it must serialize sends. */
        void send(String message);

        /** Closes the socket; the transport then calls {@link #closed()}. */
        void close(int code, String reason);

        /** Authenticates the token of a {@code hello} (null when the client sent none); throws what HTTP throws. */
        Access authenticate(String jwt);

        /** The transport's error mapping (the one HTTP uses): {message, code} an exception is answered with. */
        String[] answer(RuntimeException e);

        /**
         * {@link #send}, never waiting for a client that does not read its answers: called by the thread leading a
         * group commit, which answers other connections' writes too. What piles up so is bounded by the requests a
         * connection may have in flight.
         */
        default void sendNoWait(String message) {
            send(message);
        }
    }

    /**
     * What the transport's thread may run in place instead of handing it to a stream thread: it reads the socket and
     * must not block (the SQL port's event loop). {@link #NEVER} for a transport whose thread hands everything off
     * (Tomcat's container).
     */
    public interface InPlace {
        InPlace NEVER = new InPlace() {
        };

        /**
         * How long a plain read may run right on the calling thread ({@code storage.InlineRun}) before it is run again
         * on a stream thread; 0 = never: every request goes to the stream threads.
         */
        default long inlineBudgetNanos() {
            return 0;
        }

        /** A request was answered in place ({@link #inlineBudgetNanos}). */
        default void ranInline() {
        }

        /** A stream was opened or closed in place ({@link #inlineBudgetNanos}). */
        default void streamInline() {
        }

        /**
         * Whether a single autocommit write queued from the calling thread may also be led there, within
         * {@link #inlineBudgetNanos}, when its database's writer is free ({@code storage.InlineRun#mayLeadWrites}):
         * the thread serves nobody else just now, so nobody waits behind its fsync.
         */
        default boolean mayLeadWrites() {
            return false;
        }

        /** A single autocommit write was queued for its group commit from the calling thread; {@code ledHere}: and led. */
        default void queuedWrite(boolean ledHere) {
        }
    }

    /** A stream id's requests, run one at a time. */
    private static final class Slot {
        final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        boolean running;
        volatile Stream stream;
        /** Set when the stream could not open, or expired: requests then answer this. */
        volatile ApiException unusable;
        volatile long lastUsedNanos = System.nanoTime();
    }

    private record CursorSlot(Slot stream, SocketCursor[] cursor, ApiException[] failure) {
    }

    private final HranaService service;
    private final WebSocketProperties props;
    private final Peer peer;
    private final InPlace inPlace;
    private final Executor executor;
    private final Map<Integer, Slot> streams = new ConcurrentHashMap<>();
    private final Map<Integer, CursorSlot> cursors = new ConcurrentHashMap<>();
    private final Map<Integer, String> sqls = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile String jwt;
    private volatile String dbId;
    private volatile boolean helloOk;
    private volatile boolean closed;

    SocketConnection(HranaService service, WebSocketProperties props, Peer peer, InPlace inPlace, Executor executor) {
        this.service = service;
        this.props = props;
        this.peer = peer;
        this.inPlace = inPlace;
        this.executor = executor;
    }

    /** One text message from the client (transport thread, in order). */
    public void onMessage(String text) {
        if (closed) {
            return;
        }
        lastActivityNanos = System.nanoTime();
        Proto.ClientMsg msg;
        try {
            msg = HranaJson.readClientMsg(text);
        } catch (ApiException e) {
            protocolError(e.getMessage());
            return;
        }
        if ("hello".equals(msg.type())) {
            hello(msg.jwt());
        } else if ("request".equals(msg.type())) {
            if (msg.requestId() == null || msg.request() == null || msg.request().type() == null) {
                protocolError("a request message needs `request_id` and a `request` with a `type`");
                return;
            }
            if (!helloOk) {
                protocolError("the first message must be `hello`");
                return;
            }
            if (inFlight.incrementAndGet() > props.maxRequestsInFlight()) {
                inFlight.decrementAndGet();
                peer.close(CLOSE_POLICY, "more than " + props.maxRequestsInFlight() + " requests in flight");
                return;
            }
            request(msg.requestId(), msg.request());
        } else {
            protocolError("unknown client message type '" + msg.type() + "'");
        }
    }

    /** A binary message: the protobuf encoding, which this server does not negotiate. */
    public void onBinaryMessage() {
        protocolError("binary messages are not accepted: the negotiated encoding is JSON");
    }

    private void protocolError(String message) {
        peer.close(CLOSE_PROTOCOL_ERROR, "HRANA_PROTO_ERROR: " + message);
    }

    private void hello(String token) {
        Access access;
        try {
            access = peer.authenticate(token);
            if (dbId == null) {
                service.admitConnection(access.dbId(), token, props);
                dbId = access.dbId();
            } else if (!dbId.equals(access.dbId())) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, "a new `hello` must authenticate for the same database"
                        + " as the first one");
            } else if (!token.equals(jwt)) {
                service.rebindConnection(jwt, token);
            }
        } catch (RuntimeException e) {
            String[] a = peer.answer(e);
            helloOk = false;
            peer.send(HranaJson.helloError(a[0], a[1]));
            peer.close(CLOSE_POLICY, a[1]);
            return;
        }
        jwt = token;
        helloOk = true;
        peer.send(HranaJson.HELLO_OK);
    }

    private void request(int id, Proto.SocketRequest r) {
        Access access;
        try {
            access = peer.authenticate(jwt);
        } catch (RuntimeException e) {
            // the token expired or was revoked since the hello: access ends now, open transactions roll back
            closeStreams();
            fail(id, e);
            return;
        }
        try {
            switch (r.type()) {
                case "open_stream" -> openStream(id, access, streamId(r));
                case "close_stream" -> closeStream(id, streamId(r));
                case "store_sql" -> storeSql(id, r);
                case "close_sql" -> {
                    if (r.sqlId() != null) {
                        sqls.remove(r.sqlId());
                    }
                    ok(id, new Proto.StreamResponse("close_sql", null, null));
                }
                case "execute", "batch", "sequence", "describe", "get_autocommit" -> onStream(id, access, r);
                case "open_cursor" -> openCursor(id, access, r);
                case "fetch_cursor" -> fetchCursor(id, r);
                case "close_cursor" -> closeCursor(id, r);
                default -> throw new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                        "unknown request type '" + r.type() + "'");
            }
        } catch (RuntimeException e) {
            fail(id, e);
        }
    }

    private static int streamId(Proto.SocketRequest r) {
        if (r.streamId() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "`" + r.type() + "` needs a `stream_id`");
        }
        return r.streamId();
    }

    private void openStream(int id, Access access, int streamId) {
        if (streams.containsKey(streamId)) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "stream " + streamId + " is already open: close it"
                    + " before using its id again");
        }
        if (streams.size() >= props.maxStreamsPerConnection()) {
            throw new ApiException(ErrorCode.TOO_MANY_STREAMS, "this connection already has "
                    + props.maxStreamsPerConnection() + " open streams: close some before opening more");
        }
        Slot slot = new Slot();
        streams.put(streamId, slot);
        long budget = inPlace.inlineBudgetNanos();
        if (budget > 0 && openedInline(slot, budget, access, id)) {
            return;
        }
        enqueue(slot, () -> {
            try {
                slot.stream = service.openSocketStream(access);
            } catch (RuntimeException e) {
                unusable(slot, id, e);
                return;
            }
            ok(id, new Proto.StreamResponse("open_stream", null, null));
        });
    }

    /**
     * Opens a stream right here, on a thread that must not block (the SQL port's event loop), when its database is open
     * (a lease, no I/O): the official client opens a stream for every {@code execute} and closes it after, so this and
     * {@link #closedInline} keep a lone statement's three requests off the stream threads. False, nothing sent, when the
     * database is not open yet ({@code storage.InlineRun} gave up): a stream thread opens it.
     */
    private boolean openedInline(Slot slot, long budgetNanos, Access access, int id) {
        InlineRun run = InlineRun.begin(System.nanoTime() + budgetNanos);
        try {
            slot.stream = service.openSocketStream(access);
        } catch (RuntimeException e) {
            if (run.gaveUp()) {
                return false;
            }
            unusable(slot, id, e);
            return true;
        } finally {
            run.end();
        }
        inPlace.streamInline();
        ok(id, new Proto.StreamResponse("open_stream", null, null));
        return true;
    }

    /** The stream could not be opened: the id stays used until close_stream (spec); requests on it answer this error. */
    private void unusable(Slot slot, int id, RuntimeException e) {
        slot.unusable = e instanceof ApiException api ? api
                : new ApiException(ErrorCode.INTERNAL_ERROR, "the stream could not be opened");
        fail(id, e);
    }

    private void closeStream(int id, int streamId) {
        Slot slot = streams.get(streamId);
        if (slot == null) {
            ok(id, new Proto.StreamResponse("close_stream", null, null)); // closing is idempotent
            return;
        }
        if (inPlace.inlineBudgetNanos() > 0 && closedInline(slot, streamId, id)) {
            return;
        }
        enqueue(slot, () -> closeNow(slot, streamId, id));
    }

    /**
     * Closes an idle stream that holds no transaction right here (the SQL port's event loop): nothing to roll back,
     * only its lease to give back. False when it is busy, holds a transaction or never opened: a stream thread closes
     * it, in turn.
     */
    private boolean closedInline(Slot slot, int streamId, int id) {
        if (takeTurnIfIdle(slot) == null) {
            return false; // (a socket closing while it is closed here queues its close behind this one)
        }
        try {
            inPlace.streamInline();
            closeNow(slot, streamId, id);
        } finally {
            release(slot);
        }
        return true;
    }

    private void closeNow(Slot slot, int streamId, int id) {
        closeSlot(slot);
        streams.remove(streamId, slot);
        cursors.values().removeIf(c -> c.stream() == slot);
        ok(id, new Proto.StreamResponse("close_stream", null, null));
    }

    private static void closeSlot(Slot slot) {
        Stream s = slot.stream;
        if (s != null) {
            s.lock.lock();
            try {
                s.close();
            } finally {
                s.lock.unlock();
            }
        }
    }

    private void storeSql(int id, Proto.SocketRequest r) {
        if (r.sqlId() == null || r.sql() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "`store_sql` needs `sql_id` and `sql`");
        }
        if (sqls.containsKey(r.sqlId())) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "SQL text " + r.sqlId() + " already exists");
        }
        if (sqls.size() >= MAX_STORED_SQL) {
            send(HranaJson.responseError(id, "The server already stores " + sqls.size()
                    + " SQL texts on this connection, it cannot store more", HranaError.SQL_STORE_TOO_MANY.name()));
            return;
        }
        sqls.put(r.sqlId(), r.sql());
        ok(id, new Proto.StreamResponse("store_sql", null, null));
    }

    /** Stored SQL ids are resolved when the request arrives: a later close_sql must not change what it runs. */
    private String sql(String sql, Integer sqlId) {
        if (sql != null || sqlId == null) {
            return sql;
        }
        String stored = sqls.get(sqlId);
        if (stored == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "SQL text " + sqlId + " not found");
        }
        return stored;
    }

    private Proto.Stmt stmt(Proto.Stmt s) {
        if (s == null || s.sqlId() == null || s.sql() != null) {
            return s;
        }
        return new Proto.Stmt(sql(null, s.sqlId()), null, s.args(), s.namedArgs(), s.wantRows());
    }

    private Proto.Batch batch(Proto.Batch b) {
        if (b == null || b.steps() == null) {
            return b;
        }
        List<Proto.BatchStep> steps = new ArrayList<>(b.steps().size());
        for (Proto.BatchStep step : b.steps()) {
            steps.add(step == null ? null : new Proto.BatchStep(step.condition(), stmt(step.stmt())));
        }
        return new Proto.Batch(steps);
    }

    private Slot slot(Proto.SocketRequest r) {
        int streamId = streamId(r);
        Slot slot = streams.get(streamId);
        if (slot == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "stream " + streamId + " is not open");
        }
        return slot;
    }

    private void onStream(int id, Access access, Proto.SocketRequest r) {
        Slot slot = slot(r);
        Proto.StreamRequest req = r.asStreamRequest(stmt(r.stmt()), batch(r.batch()), sql(r.sql(), r.sqlId()));
        long budget = inPlace.inlineBudgetNanos();
        if (budget > 0) {
            SqlStatement st = HranaService.executedStatement(req);
            if (st != null && st.kind() == StatementKind.READ && ranInline(slot, budget, access, req, id)) {
                return;
            }
            if (st != null && StmtExecutor.isPlainDml(st) && queuedForGroup(slot, budget, access, req, id)) {
                return;
            }
        }
        enqueue(slot, () -> {
            Stream s = usable(slot);
            slot.lastUsedNanos = System.nanoTime();
            answer(id, service.runOne(s, access, req));
            slot.lastUsedNanos = System.nanoTime();
        }, id);
    }

    private void answer(int id, Proto.StreamResult result) {
        send(message(id, result));
    }

    private static String message(int id, Proto.StreamResult result) {
        return result.error() != null
                ? HranaJson.responseError(id, result.error().message(), result.error().code().name())
                : HranaJson.responseOk(id, result.response());
    }

    /**
     * Runs a plain read right here, on a thread that must not block (the SQL port's event loop), when its stream is
     * idle (nothing of it queued or running, so the order of its requests holds) and holds no transaction (the read
     * runs on a reader outside one): as an HTTP read on its own stream, it either completes and is answered here, or
     * gives up ({@code storage.InlineRun}: no idle reader, the budget passed) having changed nothing and not been
     * metered; then false, nothing sent, and it is queued as any request.
     */
    private boolean ranInline(Slot slot, long budgetNanos, Access access, Proto.StreamRequest req, int id) {
        Stream s = takeTurnIfIdle(slot);
        if (s == null) {
            return false;
        }
        boolean answered = false;
        try {
            InlineRun run = InlineRun.begin(System.nanoTime() + budgetNanos);
            Requester.set(this);
            Proto.StreamResult result;
            try {
                slot.lastUsedNanos = System.nanoTime();
                result = service.runOne(s, access, req);
            } finally {
                Requester.clear();
                run.end();
            }
            if (!run.gaveUp()) {
                slot.lastUsedNanos = System.nanoTime();
                inPlace.ranInline();
                answer(id, result);
                answered = true;
            }
        } finally {
            release(slot); // what was queued meanwhile (the socket closed: its streams are closed by tasks)
        }
        return answered;
    }

    /**
     * Queues a single autocommit write for its database's group commit from the transport's thread, when its stream is
     * idle and holds no transaction (as {@link #ranInline} requires), instead of queueing it for a stream thread that
     * would then wait for the group: the group's leader answers it once it is durable, and the stream's next request
     * runs after that. When the transport's thread may lead writes ({@link InPlace#mayLeadWrites}) and the writer is free,
     * it leads the group itself, under the inline budget (a lone client's write then costs no thread hand-off at all).
     * False, nothing sent, when it cannot be queued so (a statement the token may not run, the stream closed, admission
     * would block): it is queued as any request.
     */
    private boolean queuedForGroup(Slot slot, long budgetNanos, Access access, Proto.StreamRequest req, int id) {
        Stream s = takeTurnIfIdle(slot); // until the write is answered
        if (s == null) {
            return false;
        }
        boolean queued = false;
        boolean refused = false;
        InlineRun run = InlineRun.begin(System.nanoTime() + budgetNanos, inPlace.mayLeadWrites());
        try {
            queued = service.runOneGrouped(s, access, req, executor, (result, failure) -> {
                slot.lastUsedNanos = System.nanoTime();
                sendNoWait(failure != null ? failureMessage(id, failure) : message(id, result));
                release(slot);
            });
        } catch (RuntimeException e) {
            refused = !run.gaveUp(); // else admission would have blocked: nothing was queued, a stream thread runs it
            if (refused) {
                sendNoWait(failureMessage(id, e)); // refused before it was queued, as a stream thread answers it
            }
        } finally {
            run.end();
            if (!queued) {
                release(slot);
            }
        }
        if (queued) {
            inPlace.queuedWrite(run.ledWrites());
        }
        return queued || refused;
    }

    /**
     * The slot's turn, taken when its stream is open, idle (nothing of it queued or running, so the order of its
     * requests holds) and holds no transaction: its stream, and nothing of it starts on a stream thread until
     * {@link #release}. Null when it is not so.
     */
    private static Stream takeTurnIfIdle(Slot slot) {
        synchronized (slot) {
            Stream s = slot.stream;
            if (slot.running || !slot.queue.isEmpty() || s == null || slot.unusable != null || s.held != null) {
                return null;
            }
            slot.running = true;
            return s;
        }
    }

    /** The slot's turn ends: what was queued on it meanwhile runs on a stream thread. */
    private void release(Slot slot) {
        boolean queued;
        synchronized (slot) {
            queued = !slot.queue.isEmpty();
            slot.running = queued;
        }
        if (queued) {
            executor.execute(() -> drain(slot));
        }
    }

    private void openCursor(int id, Access access, Proto.SocketRequest r) {
        if (r.cursorId() == null || r.batch() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "`open_cursor` needs `cursor_id` and `batch`");
        }
        Slot slot = slot(r);
        if (cursors.containsKey(r.cursorId())) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "cursor " + r.cursorId() + " is already open");
        }
        CursorSlot cs = new CursorSlot(slot, new SocketCursor[1], new ApiException[1]);
        cursors.put(r.cursorId(), cs);
        Proto.StreamRequest req = new Proto.StreamRequest("batch", null, batch(r.batch()), null, null);
        enqueue(slot, () -> {
            try {
                Stream s = usable(slot);
                slot.lastUsedNanos = System.nanoTime();
                cs.cursor()[0] = new SocketCursor(service.runOne(s, access, req));
                slot.lastUsedNanos = System.nanoTime();
                ok(id, new Proto.StreamResponse("open_cursor", null, null));
            } catch (RuntimeException e) {
                cs.failure()[0] = e instanceof ApiException api ? api
                        : new ApiException(ErrorCode.INTERNAL_ERROR, "the cursor could not be opened");
                throw e;
            }
        }, id);
    }

    private void fetchCursor(int id, Proto.SocketRequest r) {
        CursorSlot cs = r.cursorId() == null ? null : cursors.get(r.cursorId());
        if (cs == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "cursor " + r.cursorId() + " is not open");
        }
        int max = r.maxCount() == null || r.maxCount() < 1 ? 1 : r.maxCount();
        enqueue(cs.stream(), () -> {
            if (cs.failure()[0] != null) {
                throw cs.failure()[0];
            }
            send(HranaJson.fetchCursorOk(id, cs.cursor()[0], max));
        }, id);
    }

    private void closeCursor(int id, Proto.SocketRequest r) {
        if (r.cursorId() != null) {
            cursors.remove(r.cursorId());
        }
        ok(id, new Proto.StreamResponse("close_cursor", null, null));
    }

    private static Stream usable(Slot slot) {
        if (slot.unusable != null) {
            throw slot.unusable;
        }
        return slot.stream;
    }

    private void ok(int id, Proto.StreamResponse response) {
        send(HranaJson.responseOk(id, response));
    }

    private void fail(int id, RuntimeException e) {
        send(failureMessage(id, e));
    }

    private String failureMessage(int id, RuntimeException e) {
        String[] a = peer.answer(e);
        return HranaJson.responseError(id, a[0], a[1]);
    }

    /** Sends an answer: one request less in flight. */
    private void send(String message) {
        if (answered()) {
            peer.send(message);
        }
    }

    /** {@link #send} from a group commit's leader ({@link Peer#sendNoWait}). */
    private void sendNoWait(String message) {
        if (answered()) {
            peer.sendNoWait(message);
        }
    }

    /** One request less in flight; false when the socket closed (nothing is sent any more). */
    private boolean answered() {
        inFlight.decrementAndGet();
        lastActivityNanos = System.nanoTime();
        return !closed;
    }

    private void enqueue(Slot slot, Runnable task) {
        enqueue(slot, task, null);
    }

    /** Queues a task on a stream; a task that throws is answered as a failure of request {@code id}. */
    private void enqueue(Slot slot, Runnable task, Integer id) {
        Runnable guarded = () -> {
            if (closed) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                if (id != null) {
                    fail(id, e);
                } else {
                    log.warn("a WebSocket stream task failed: {}", e.toString());
                }
            }
        };
        synchronized (slot) {
            slot.queue.add(guarded);
            if (slot.running) {
                return;
            }
            slot.running = true;
        }
        executor.execute(() -> drain(slot));
    }

    private void drain(Slot slot) {
        Requester.set(this); // a closing socket cancels the statements it started (transport: ClientWatch)
        try {
            while (true) {
                Runnable t;
                synchronized (slot) {
                    t = slot.queue.poll();
                    if (t == null) {
                        slot.running = false;
                        return;
                    }
                }
                t.run();
            }
        } finally {
            Requester.clear();
        }
    }

    /** Rolls back and closes every stream (after the request each one is running, if any). */
    private void closeStreams() {
        for (Map.Entry<Integer, Slot> e : streams.entrySet()) {
            Slot slot = e.getValue();
            if (streams.remove(e.getKey(), slot)) {
                synchronized (slot) {
                    slot.queue.clear();
                    slot.queue.add(() -> closeSlot(slot));
                    if (slot.running) {
                        continue;
                    }
                    slot.running = true;
                }
                executor.execute(() -> drain(slot));
            }
        }
        cursors.clear();
    }

    /** The socket closed (whoever closed it): pending requests are dropped, streams rolled back. Idempotent. */
    public void closed() {
        if (closed) {
            return;
        }
        closed = true;
        closeStreams();
        service.forgetSocket(this, dbId, jwt);
    }

    /**
     * Called by the service's sweeper: closes the connection when idle past idle-timeout. A stream holding a
     * transaction is rolled back and expires ({@code STREAM_EXPIRED}) under the HTTP rules: idle past the stream
     * idle timeout, or its transaction open longer than max-transaction-duration while idle. An open transaction
     * holds the writer (or pins a WAL snapshot), so a connection that keeps chatting on other streams must not
     * keep it forever.
     */
    void sweep(long now, long streamIdleNanos, long maxTransactionNanos) {
        if (closed) {
            return;
        }
        if (inFlight.get() == 0 && now - lastActivityNanos > props.idleTimeout().toNanos()) {
            peer.close(CLOSE_GOING_AWAY, "idle for longer than " + props.idleTimeout().toSeconds() + "s");
            return;
        }
        for (Slot slot : streams.values()) {
            Stream s = slot.stream;
            if (s == null || s.held == null || (now - s.heldSinceNanos <= maxTransactionNanos
                    && now - slot.lastUsedNanos <= streamIdleNanos)) {
                continue;
            }
            synchronized (slot) {
                if (slot.running) {
                    continue; // busy: only an idle stream's transaction is rolled back (as over HTTP)
                }
            }
            enqueue(slot, () -> {
                Stream st = slot.stream;
                long at = System.nanoTime();
                if (st != null && st.held != null && (at - st.heldSinceNanos > maxTransactionNanos
                        || at - slot.lastUsedNanos > streamIdleNanos)) {
                    closeSlot(slot);
                    slot.unusable = new ApiException(ErrorCode.STREAM_EXPIRED, "The stream has expired due to"
                            + " inactivity, or its transaction was open longer than the limit; its transaction was"
                            + " rolled back: start a new stream");
                }
            });
        }
    }
}
