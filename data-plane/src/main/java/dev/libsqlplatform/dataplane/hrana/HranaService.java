package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.config.WebSocketProperties;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.sql.SqlScript;
import dev.libsqlplatform.dataplane.sql.SqlStatement;
import dev.libsqlplatform.dataplane.sql.StatementKind;
import dev.libsqlplatform.dataplane.storage.DatabaseGoneException;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.InlineRun;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import dev.libsqlplatform.dataplane.storage.ResultBudget;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

/**
 * Hrana streams over HTTP: batons, pipelines, legacy {@code POST /} queries. Transport-free: it takes
 * parsed protocol structures and an {@link Access}, and returns protocol structures.
 */
@Service
public class HranaService implements DisposableBean, SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(HranaService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DatabaseRegistry registry;
    private final long idleTimeoutNanos;
    private final Map<String, Stream> byBaton = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private final LimitsProperties limits;
    /** Open streams (with or without a baton) per database, bounded by max-streams-per-database. */
    private final Map<String, AtomicInteger> streamsByDatabase = new ConcurrentHashMap<>();
    private volatile boolean running;

    /** Open WebSocket connections, for the sweeper (idle connections, long transactions). */
    private final Set<SocketConnection> sockets = ConcurrentHashMap.newKeySet();
    /** Authenticated WebSocket connections per database and per token. */
    private final Map<String, AtomicInteger> socketsByDatabase = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> socketsByToken = new ConcurrentHashMap<>();
    private final WebSocketProperties socketProps;

    HranaService(DatabaseRegistry registry, WorkerProperties props, LimitsProperties limits,
                 WebSocketProperties socketProps) {
        this.registry = registry;
        this.limits = limits;
        this.socketProps = socketProps;
        this.idleTimeoutNanos = props.streamIdleTimeout().toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hrana-stream-expiry");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, Math.min(1000, Math.min(props.streamIdleTimeout().toMillis(),
                socketProps.idleTimeout().toMillis()) / 4));
        sweeper.scheduleWithFixedDelay(this::expireIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /** Number of live baton streams (for metrics and tests). */
    public int openStreams() {
        return byBaton.size();
    }

    /**
     * Closes (and rolls back) streams idle past the idle timeout, and idle streams whose transaction has been
     * open longer than max-transaction-duration: an open transaction pins a WAL snapshot, so without a bound one
     * client could keep the WAL from ever being checkpointed and grow it without end.
     */
    void expireIdle() {
        long now = System.nanoTime();
        long maxTxn = limits.maxTransactionDuration().toNanos();
        for (SocketConnection c : sockets) {
            try {
                c.sweep(now, idleTimeoutNanos, maxTxn);
            } catch (RuntimeException ex) {
                log.warn("sweeping a WebSocket connection failed: {}", ex.toString());
            }
        }
        for (Map.Entry<String, Stream> e : byBaton.entrySet()) {
            Stream s = e.getValue();
            boolean idle = now - s.lastUsedNanos > idleTimeoutNanos;
            boolean txnTooLong = s.held != null && now - s.heldSinceNanos > maxTxn;
            if ((idle || txnTooLong) && byBaton.remove(e.getKey(), s)) {
                if (txnTooLong && !idle) {
                    log.info("rolled back a transaction of database {} open longer than {}", s.db.id(),
                            limits.maxTransactionDuration());
                }
                s.lock.lock();
                try {
                    s.close();
                } catch (RuntimeException ex) {
                    log.warn("closing an expired stream failed: {}", ex.toString());
                } finally {
                    s.lock.unlock();
                }
            }
        }
    }

    private static String newBaton() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private Stream openStream(Access access) {
        AtomicInteger open = streamsByDatabase.computeIfAbsent(access.dbId(), k -> new AtomicInteger());
        if (open.incrementAndGet() > limits.maxStreamsPerDatabase()) {
            open.decrementAndGet();
            throw new ApiException(ErrorCode.TOO_MANY_STREAMS, "this database already has "
                    + limits.maxStreamsPerDatabase() + " open streams: close finished transactions (or wait for idle"
                    + " ones to expire) before opening more");
        }
        try {
            return openLeased(access, open);
        } catch (RuntimeException e) {
            open.decrementAndGet();
            throw e;
        }
    }

    private Stream openLeased(Access access, AtomicInteger open) {
        OpenDatabase db;
        try {
            db = registry.lease(access.dbId());
        } catch (DatabaseGoneException e) {
            throw new ApiException(ErrorCode.NAMESPACE_DOESNT_EXIST, e.getMessage());
        } catch (SQLException e) {
            if (!InlineRun.active()) { // on the event loop a database not open yet is no failure: it is opened elsewhere
                log.warn("cannot open database {}: {}", access.dbId(), e.getMessage());
            }
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "cannot open the database: " + e.getMessage());
        }
        return new Stream(db, access, open::decrementAndGet);
    }

    private Stream takeStream(String baton, Access access) {
        if (baton == null) {
            return openStream(access);
        }
        Stream s = byBaton.remove(baton);
        if (s == null) {
            throw new ApiException(ErrorCode.STREAM_EXPIRED,
                    "The stream has expired due to inactivity, or its transaction was open longer than the limit"
                            + " (or the baton is unknown); start a new stream");
        }
        if (!s.db.id().equals(access.dbId())) {
            // a baton for another database: do not reveal anything about it, and do not consume it
            byBaton.put(baton, s);
            throw new ApiException(ErrorCode.STREAM_EXPIRED,
                    "The stream has expired due to inactivity, or its transaction was open longer than the limit"
                            + " (or the baton is unknown); start a new stream");
        }
        if (s.access.readOnlyToken() != access.readOnlyToken()) {
            // a baton belongs to the access level that opened it: a read-only token must not borrow a
            // read-write stream's open transaction (nor the reverse); the owner can still continue
            byBaton.put(baton, s);
            throw new ApiException(ErrorCode.PERMISSION_DENIED, "this baton belongs to a stream opened with a "
                    + (s.access.readOnlyToken() ? "read-only" : "read-write") + " token; use the same access level"
                    + " to continue it, or start a new stream");
        }
        s.access = access; // block flags may have changed since the last request
        return s;
    }

    // ---- Hrana over WebSocket ----

    /** A new WebSocket connection; the transport calls its {@link SocketConnection#closed()} when it ends. */
    public SocketConnection openSocket(SocketConnection.Peer peer, SocketConnection.InPlace inPlace,
                                       java.util.concurrent.Executor executor) {
        SocketConnection c = new SocketConnection(this, socketProps, peer, inPlace, executor);
        sockets.add(c);
        return c;
    }

    /** Number of open WebSocket connections (for metrics and tests). */
    public int openSockets() {
        return sockets.size();
    }

    /** Counts a connection's first successful hello against its database and token, or refuses it. */
    void admitConnection(String dbId, String token, WebSocketProperties p) {
        AtomicInteger perDb = socketsByDatabase.computeIfAbsent(dbId, k -> new AtomicInteger());
        if (perDb.incrementAndGet() > p.maxConnectionsPerDatabase()) {
            perDb.decrementAndGet();
            throw new ApiException(ErrorCode.TOO_MANY_CONNECTIONS, "this database already has "
                    + p.maxConnectionsPerDatabase() + " open WebSocket connections");
        }
        AtomicInteger perToken = socketsByToken.computeIfAbsent(token, k -> new AtomicInteger());
        if (perToken.incrementAndGet() > p.maxConnectionsPerToken()) {
            perToken.decrementAndGet();
            perDb.decrementAndGet();
            throw new ApiException(ErrorCode.TOO_MANY_CONNECTIONS, "this token already has "
                    + p.maxConnectionsPerToken() + " open WebSocket connections");
        }
    }

    /** A re-hello with a fresh token: the connection now counts against the new token. */
    void rebindConnection(String oldToken, String newToken) {
        socketsByToken.computeIfAbsent(newToken, k -> new AtomicInteger()).incrementAndGet();
        decrement(socketsByToken, oldToken);
    }

    void forgetSocket(SocketConnection c, String dbId, String token) {
        if (sockets.remove(c) && dbId != null) {
            decrement(socketsByDatabase, dbId);
            decrement(socketsByToken, token);
        }
    }

    private static void decrement(Map<String, AtomicInteger> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    Stream openSocketStream(Access access) {
        return openStream(access);
    }

    /**
     * One stream request of a WebSocket stream, as one request of a pipeline: same executor, same response
     * budget (max-response-bytes per request), same errors. The stream's block flags follow the latest token.
     */
    Proto.StreamResult runOne(Stream s, Access access, Proto.StreamRequest r) {
        s.lock.lock();
        try {
            if (s.isClosed()) {
                return new Proto.StreamResult(null, new Proto.Error("The stream was closed", HranaError.STREAM_CLOSED));
            }
            s.access = access;
            s.budget = new ResultBudget(limits.maxResponseBytes().toBytes());
            s.lastUsedNanos = System.nanoTime();
            return handle(s, StmtExecutor.forDatabase(registry::meta, s.db), r);
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * {@link #runOne} of an {@code execute} of one autocommit INSERT/UPDATE/DELETE/REPLACE on a WebSocket stream outside
     * a transaction, without holding the calling thread while the write waits for its database's group commit (as
     * {@link #pipelineGrouped} for HTTP): {@code then} gets the result once the write is durable (or the failure
     * {@link #runOne}'s caller would get), on the thread that led its group, this one included. False, nothing done,
     * for any other request: the caller runs it with {@link #runOne}. The caller runs nothing else on the stream until
     * {@code then} was called (the stream's lock is not held meanwhile: it belongs to a thread).
     */
    boolean runOneGrouped(Stream s, Access access, Proto.StreamRequest r, java.util.concurrent.Executor leaders,
                          java.util.function.BiConsumer<Proto.StreamResult, RuntimeException> then) {
        if (!"execute".equals(r.type()) || r.stmt() == null) {
            return false;
        }
        s.lock.lock();
        try {
            if (s.isClosed()) {
                return false; // runOne answers STREAM_CLOSED
            }
            s.access = access;
            s.budget = new ResultBudget(limits.maxResponseBytes().toBytes());
            s.lastUsedNanos = System.nanoTime();
            return StmtExecutor.forDatabase(registry::meta, s.db).submitGrouped(s, r.stmt(), leaders,
                    (result, failure) -> {
                        s.lastUsedNanos = System.nanoTime();
                        if (failure instanceof RuntimeException e) {
                            then.accept(null, e);
                        } else {
                            then.accept(failure instanceof HranaException h ? new Proto.StreamResult(null, h.error())
                                    : ok("execute", result), null);
                        }
                    });
        } catch (HranaException e) {
            then.accept(new Proto.StreamResult(null, e.error()), null); // refused before it ran, as handle() answers
            return true;
        } finally {
            s.lock.unlock();
        }
    }

    /** Runs a pipeline; the response carries a fresh baton unless the stream was closed. */
    public Proto.PipelineResponse pipeline(Access access, Proto.PipelineRequest req) {
        if (req == null || req.requests() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "the body must have a `requests` array");
        }
        checkSteps(req);
        Stream s = takeStream(req.baton(), access);
        s.lock.lock();
        boolean ok = false;
        try {
            s.budget = new ResultBudget(limits.maxResponseBytes().toBytes());
            StmtExecutor exec = StmtExecutor.forDatabase(registry::meta, s.db);
            List<Proto.StreamResult> results = new ArrayList<>(req.requests().size());
            for (Proto.StreamRequest r : req.requests()) {
                if (s.isClosed()) {
                    results.add(new Proto.StreamResult(null,
                            new Proto.Error("The stream was closed by an earlier `close` request",
                            HranaError.STREAM_CLOSED)));
                    continue;
                }
                results.add(handle(s, exec, r));
            }
            String baton = null;
            if (!s.isClosed()) {
                baton = newBaton();
                s.lastUsedNanos = System.nanoTime();
                byBaton.put(baton, s);
            }
            ok = true;
            return new Proto.PipelineResponse(baton, results);
        } finally {
            if (!ok) {
                s.close(); // an HTTP-level error ends the stream (HTTP_V2_SPEC: the stream is no longer valid)
            }
            s.lock.unlock();
        }
    }

    /**
     * Whether running {@code req} can change nothing and leave nothing behind, so that it may be tried on a thread that
     * must not block and run again elsewhere if that thread gives up ({@code storage.InlineRun}): no baton (a stream
     * of its own), one {@code execute} of one read-only query (SELECT, VALUES, EXPLAIN: run on a reader outside a
     * transaction), then {@code close} (no stream outlives it). This is what an official client's {@code execute} of a
     * query sends. One statement only: it either completes (and the pipeline is not run again) or is interrupted (and
     * not metered), so running it again never meters anything twice.
     */
    public boolean readsOnOwnStream(Proto.PipelineRequest req) {
        SqlStatement st = oneStatementOnOwnStream(req);
        return st != null && st.kind() == StatementKind.READ;
    }

    /**
     * Whether {@code req} is what an official client's {@code execute} of an autocommit INSERT, UPDATE, DELETE or
     * REPLACE sends: no baton, one {@code execute} of it, then {@code close}. {@link #pipelineGrouped} runs those.
     */
    public boolean writesOnOwnStream(Proto.PipelineRequest req) {
        SqlStatement st = oneStatementOnOwnStream(req);
        return st != null && StmtExecutor.isPlainDml(st);
    }

    /** The statement of a pipeline that is one {@code execute} (SQL text, not a stored id) and {@code close}, no baton. */
    private static SqlStatement oneStatementOnOwnStream(Proto.PipelineRequest req) {
        List<Proto.StreamRequest> rs = req == null ? null : req.requests();
        if (rs == null || rs.size() != 2 || req.baton() != null) {
            return null;
        }
        Proto.StreamRequest close = rs.get(1);
        if (close == null || !"close".equals(close.type())) {
            return null;
        }
        return executedStatement(rs.get(0));
    }

    /**
     * The statement of an {@code execute} given as SQL text (not a stored id), parsed; null for any other request, and
     * for SQL that does not parse (its error is answered where it is run).
     */
    static SqlStatement executedStatement(Proto.StreamRequest r) {
        if (r == null || !"execute".equals(r.type()) || r.stmt() == null || r.stmt().sql() == null
                || r.stmt().sqlId() != null) {
            return null;
        }
        try {
            return StmtExecutor.parseOne(r.stmt().sql());
        } catch (HranaException e) {
            return null;
        }
    }

    /**
     * Runs a pipeline for which {@link #writesOnOwnStream} holds without holding the calling thread while its statement
     * waits for the database's group commit: {@code then} gets the response (or the failure {@link #pipeline} would
     * throw) once the write is durable, on the thread that led its group. Returns false, with nothing done, when the
     * statement cannot join a group (e.g. the token may not write): the caller runs the pipeline with {@link #pipeline},
     * which answers as always. The stream is the pipeline's own (no baton is issued), so nobody else can reach it.
     */
    public boolean pipelineGrouped(Access access, Proto.PipelineRequest req, java.util.concurrent.Executor leaders,
                                   java.util.function.BiConsumer<Proto.PipelineResponse, RuntimeException> then) {
        if (!writesOnOwnStream(req)) {
            return false;
        }
        checkSteps(req);
        Stream s = takeStream(null, access);
        boolean submitted = false;
        try {
            s.budget = new ResultBudget(limits.maxResponseBytes().toBytes());
            StmtExecutor exec = StmtExecutor.forDatabase(registry::meta, s.db);
            submitted = exec.submitGrouped(s, req.requests().get(0).stmt(), leaders, (result, failure) -> {
                s.close();
                if (failure instanceof RuntimeException e) {
                    then.accept(null, e);
                    return;
                }
                Proto.StreamResult first = failure instanceof HranaException h
                        ? new Proto.StreamResult(null, h.error()) : ok("execute", result);
                then.accept(new Proto.PipelineResponse(null, List.of(first, ok("close", null))), null);
            });
        } catch (HranaException e) {
            // refused before it ran (a statement not allowed, a blocked caller): answered as handle() answers it
            s.close();
            then.accept(new Proto.PipelineResponse(null,
                    List.of(new Proto.StreamResult(null, e.error()), ok("close", null))), null);
            return true;
        } finally {
            if (!submitted) {
                s.close(); // idempotent: the refusal above closed it already
            }
        }
        return submitted;
    }

    /** Stream requests plus batch steps: each is a statement the worker may have to run. */
    private void checkSteps(Proto.PipelineRequest req) {
        long steps = req.requests().size();
        for (Proto.StreamRequest r : req.requests()) {
            if (r != null && r.batch() != null && r.batch().steps() != null) {
                steps += r.batch().steps().size();
            }
        }
        if (steps > limits.maxPipelineSteps()) {
            throw new ApiException(ErrorCode.PIPELINE_TOO_LONG, "the pipeline has " + steps + " requests and batch"
                    + " steps; at most " + limits.maxPipelineSteps() + " are accepted in one request");
        }
    }

    /**
     * {@code POST /v3/cursor}: runs the batch on the stream like a pipeline {@code batch} request; the
     * transport streams the result as cursor entries.
     */
    public Proto.PipelineResponse cursor(Access access, Proto.CursorRequest req) {
        if (req == null || req.batch() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "the body must have a `batch`");
        }
        return pipeline(access, new Proto.PipelineRequest(req.baton(),
                List.of(new Proto.StreamRequest("batch", null, req.batch(), null, null))));
    }

    private Proto.StreamResult handle(Stream s, StmtExecutor exec, Proto.StreamRequest r) {
        if (r == null || r.type() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a stream request has no `type`");
        }
        try {
            switch (r.type()) {
                case "close" -> {
                    s.close();
                    return ok("close", null);
                }
                case "execute" -> {
                    if (r.stmt() == null) {
                        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "`execute` needs a `stmt`");
                    }
                    return ok("execute", exec.execute(s, r.stmt()));
                }
                case "batch" -> {
                    if (r.batch() == null || r.batch().steps() == null) {
                        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "`batch` needs a `batch` with `steps`");
                    }
                    return ok("batch", runBatch(s, exec, r.batch()));
                }
                case "sequence" -> {
                    runSequence(s, exec, StmtExecutor.resolveSql(s, r.sql(), r.sqlId()));
                    return ok("sequence", null);
                }
                case "describe" -> {
                    return ok("describe", exec.describe(s, StmtExecutor.resolveSql(s, r.sql(), r.sqlId())));
                }
                case "store_sql" -> {
                    if (r.sqlId() == null || r.sql() == null) {
                        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "`store_sql` needs `sql_id` and `sql`");
                    }
                    if (s.sqls.containsKey(r.sqlId())) {
                        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "SQL text " + r.sqlId() + " already exists");
                    }
                    if (s.sqls.size() >= Stream.MAX_STORED_SQL) {
                        throw new HranaException(HranaError.SQL_STORE_TOO_MANY, "The server already stores "
                                + s.sqls.size() + " SQL texts, it cannot store more");
                    }
                    s.sqls.put(r.sqlId(), r.sql());
                    return ok("store_sql", null);
                }
                case "close_sql" -> {
                    if (r.sqlId() != null) {
                        s.sqls.remove(r.sqlId());
                    }
                    return ok("close_sql", null);
                }
                case "get_autocommit" -> {
                    return new Proto.StreamResult(new Proto.StreamResponse("get_autocommit", null, s.isAutocommit()),
                            null);
                }
                default -> throw new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                        "unknown stream request type '" + r.type() + "'");
            }
        } catch (HranaException e) {
            return new Proto.StreamResult(null, e.error());
        }
    }

    private static Proto.StreamResult ok(String type, Proto.Result result) {
        return new Proto.StreamResult(new Proto.StreamResponse(type, result, null), null);
    }

    private Proto.BatchResult runBatch(Stream s, StmtExecutor exec, Proto.Batch batch) {
        int n = batch.steps().size();
        List<Proto.StmtResult> results = new ArrayList<>(n);
        List<Proto.Error> errors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Proto.BatchStep step = batch.steps().get(i);
            if (step == null || step.stmt() == null) {
                throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "batch step " + i + " has no `stmt`");
            }
            boolean run = step.condition() == null || eval(step.condition(), i, results, errors, s);
            if (!run) {
                results.add(null);
                errors.add(null);
                continue;
            }
            try {
                results.add(exec.execute(s, step.stmt()));
                errors.add(null);
            } catch (HranaException e) {
                results.add(null);
                errors.add(e.error());
            }
        }
        return new Proto.BatchResult(results, errors);
    }

    private static boolean eval(Proto.Cond c, int current, List<Proto.StmtResult> results, List<Proto.Error> errors,
                                Stream s) {
        if (c.type() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a batch condition has no `type`");
        }
        switch (c.type()) {
            case "ok", "error" -> {
                Integer step = c.step();
                if (step == null || step < 0 || step >= current) {
                    throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "Invalid reference to step in a batch condition");
                }
                return c.type().equals("ok") ? results.get(step) != null : errors.get(step) != null;
            }
            case "not" -> {
                if (c.cond() == null) {
                    throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "a `not` condition needs `cond`");
                }
                return !eval(c.cond(), current, results, errors, s);
            }
            case "and" -> {
                if (c.conds() != null) {
                    for (Proto.Cond sub : c.conds()) {
                        if (!eval(sub, current, results, errors, s)) {
                            return false;
                        }
                    }
                }
                return true;
            }
            case "or" -> {
                if (c.conds() != null) {
                    for (Proto.Cond sub : c.conds()) {
                        if (eval(sub, current, results, errors, s)) {
                            return true;
                        }
                    }
                }
                return false;
            }
            case "is_autocommit" -> {
                return s.isAutocommit();
            }
            default -> throw new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                    "unknown batch condition type '" + c.type() + "'");
        }
    }

    private static void runSequence(Stream s, StmtExecutor exec, String sql) throws HranaException {
        for (SqlStatement st : SqlScript.parse(sql)) {
            exec.run(s, st, null, null, false);
        }
    }

    /** One statement of a legacy {@code POST /} request, with its arguments. */
    public record LegacyStatement(String sql, List<Proto.Value> args, List<Proto.NamedArg> namedArgs) {
    }

    /** The outcome of one legacy statement: a result, an error, or neither (not run after an error). */
    public record LegacyResult(Proto.StmtResult result, Proto.Error error) {
    }

    /**
     * Legacy sqld {@code POST /}: statements run in order until the first error, which ends the request
     * and rolls back any transaction the statements opened.
     */
    public List<LegacyResult> legacy(Access access, List<LegacyStatement> statements) {
        if (statements.size() > limits.maxPipelineSteps()) {
            throw new ApiException(ErrorCode.PIPELINE_TOO_LONG, "the request has " + statements.size()
                    + " statements; at most " + limits.maxPipelineSteps() + " are accepted in one request");
        }
        Stream s = openStream(access);
        s.lock.lock();
        try {
            s.budget = new ResultBudget(limits.maxResponseBytes().toBytes());
            StmtExecutor exec = StmtExecutor.forDatabase(registry::meta, s.db);
            List<LegacyResult> out = new ArrayList<>(statements.size());
            for (LegacyStatement ls : statements) {
                try {
                    SqlStatement st = StmtExecutor.parseOne(ls.sql());
                    out.add(new LegacyResult(exec.run(s, st, ls.args(), ls.namedArgs(), true), null));
                } catch (HranaException e) {
                    out.add(new LegacyResult(null, e.error()));
                    break;
                }
            }
            return out;
        } finally {
            s.close();
            s.lock.unlock();
        }
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * First thing at shutdown, before the web server waits for requests in flight: interrupts running
     * statements so a tenant's endless query cannot hold the worker's stop (they fail with SQLITE_INTERRUPT).
     */
    @Override
    public void stop() {
        running = false;
        registry.cancelAll("the worker is shutting down");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void destroy() {
        registry.cancelAll("the worker is shutting down");
        sweeper.shutdownNow();
        for (String baton : new ArrayList<>(byBaton.keySet())) {
            Stream s = byBaton.remove(baton);
            if (s != null) {
                s.close();
            }
        }
    }
}
