package dev.libsqlplatform.controlplane.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.libsqlplatform.contract.internalapi.ContractJson;
import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.MoveDatabase;
import dev.libsqlplatform.contract.internalapi.PutDatabase;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for a worker's internal API on a real HTTP port (JDK HttpServer): records every call and
 * answers 503 to the first {@code failFirst} calls, 200 afterwards, as docs/internals.md describes.
 *
 * <p>Like the worker it stands in for, it binds PUT bodies to the contract's {@link PutDatabase}, and strictly: a
 * body with an unknown field, a missing name or organization, or that is not JSON is answered 400 (and recorded
 * in {@link #refused}), so a control plane that drifts from the contract fails the test instead of passing it.
 */
public final class StandInWorker implements AutoCloseable {

    /** {@code put}: the body as the contract type, for PUT; null for DELETE. */
    public record Call(String method, String databaseId, String body, String authorization, PutDatabase put) {
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    /** Bodies that were not the contract's PUT body, with the reason. */
    public final List<String> refused = new CopyOnWriteArrayList<>();
    /** How often its databases were listed. */
    public final AtomicInteger listed = new AtomicInteger();
    private final AtomicInteger failuresLeft;
    private final java.util.Set<String> refusedNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The databases it holds, as a worker would list them: PUT or an install adds, DELETE removes. */
    private final java.util.Set<String> hosted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final HttpServer server;
    /** Several calls at once, as a worker takes them (a call may come while a test's hook holds another one). */
    private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
    private volatile java.util.function.Predicate<Call> failWhen = c -> false;
    private volatile java.util.function.Consumer<Call> onCall = c -> { };
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public StandInWorker(int failFirst) {
        this.failuresLeft = new AtomicInteger(failFirst);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(InternalApi.DATABASES + "/", this::handle);
        server.createContext(InternalApi.DATABASES, this::list);
        server.setExecutor(threads);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void failNext(int n) {
        failuresLeft.set(n);
    }

    /** Calls matching {@code when} answer 503 (as a worker that cannot do it now, or a crashed one); null: none. */
    public void failWhen(java.util.function.Predicate<Call> when) {
        failWhen = when == null ? c -> false : when;
    }

    /** Runs {@code hook} on each call once it is recorded, before it is answered (on the call's own thread). */
    public void onCall(java.util.function.Consumer<Call> hook) {
        onCall = hook == null ? c -> { } : hook;
    }

    /** PUTs of databases named {@code name} answer 409 LABEL_CONFLICT, as a worker whose label is held elsewhere. */
    public void refuseLabelOf(String name) {
        refusedNames.add(name);
    }

    public void acceptLabelOf(String name) {
        refusedNames.remove(name);
    }

    /** Whether it holds {@code databaseId} (installed by a PUT or a move's import, not deleted since). */
    public boolean hosts(String databaseId) {
        return hosted.contains(databaseId);
    }

    public List<Call> callsFor(String databaseId) {
        return calls.stream().filter(c -> c.databaseId().equals(databaseId)).toList();
    }

    /**
     * {@code GET <DATABASES>}: counted in {@link #listed} (not in {@link #calls}, which the tests read as the calls
     * about databases); {@code failWhen} applies, to a call with method {@code GET} and an empty database id.
     */
    private void list(HttpExchange exchange) throws IOException {
        if (!InternalApi.DATABASES.equals(exchange.getRequestURI().getPath())
                || !"GET".equals(exchange.getRequestMethod())) {
            answer(exchange, 404, "{\"message\":\"no such route\",\"code\":\"NOT_FOUND\"}");
            return;
        }
        Call call = new Call("GET", "", "", exchange.getRequestHeaders().getFirst("Authorization"), null);
        listed.incrementAndGet();
        if (failWhen.test(call)) {
            answer(exchange, 503, "{\"message\":\"not now\",\"code\":\"UNAVAILABLE\"}");
            return;
        }
        List<java.util.Map<String, String>> rows = hosted.stream().sorted().map(id -> java.util.Map.of("id", id)).toList();
        answer(exchange, 200, JSON.writeValueAsString(java.util.Map.of("databases", rows)));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring(InternalApi.DATABASES.length() + 1);
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (id.contains("/")) {
            move(exchange, id.substring(0, id.indexOf('/')), id.substring(id.indexOf('/')), body);
            return;
        }
        PutDatabase put = null;
        if ("PUT".equals(exchange.getRequestMethod())) {
            try {
                put = ContractJson.parseStrictly(body, PutDatabase.class);
                if (put.name() == null || put.organization() == null) {
                    throw new IllegalArgumentException("`name` and `organization` are required");
                }
            } catch (IllegalArgumentException e) {
                refused.add(e.getMessage() + ": " + body);
                answer(exchange, 400, "{\"message\":\"not the contract's PUT body\",\"code\":\"BAD_REQUEST\"}");
                return;
            }
        }
        Call call = new Call(exchange.getRequestMethod(), id, body, exchange.getRequestHeaders().getFirst("Authorization"),
                put);
        // whether it fails is decided before the call is recorded: a test that sees the call and then asks for the
        // next failures (failNext) must not make this one fail
        boolean refuse = put != null && refusedNames.contains(put.name());
        boolean fail = !refuse && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        calls.add(call);
        onCall.accept(call);
        int status;
        String answer;
        if (failWhen.test(call)) {
            status = 503;
            answer = "{\"message\":\"not now\",\"code\":\"UNAVAILABLE\"}";
        } else if (refuse) {
            status = 409;
            answer = "{\"message\":\"hostname label is held by database other on this worker\",\"code\":\"LABEL_CONFLICT\"}";
        } else if (fail) {
            status = 503;
            answer = "{\"message\":\"not now\",\"code\":\"UNAVAILABLE\"}";
        } else {
            status = 200;
            if ("DELETE".equals(exchange.getRequestMethod())) {
                hosted.remove(id);
            } else {
                hosted.add(id);
            }
            answer = JSON.writeValueAsString(new PutDatabase.State(id,
                    "DELETE".equals(exchange.getRequestMethod()) ? PutDatabase.State.DELETED : PutDatabase.State.READY));
        }
        answer(exchange, status, answer);
    }

    /**
     * The move routes ({@link MoveDatabase}), recorded with method {@code "<METHOD> <suffix>"} (e.g. {@code POST /fence}):
     * a fence answers {@link #FENCED_FRAME}, an import its {@code until} ({@code ready}) or 1 ({@code copying}). Import
     * bodies are bound strictly to the contract; {@code failNext} applies as for PUT.
     */
    private void move(HttpExchange exchange, String id, String suffix, String body) throws IOException {
        String method = exchange.getRequestMethod() + " " + suffix;
        MoveDatabase.Import imported = null;
        if ("POST".equals(exchange.getRequestMethod()) && InternalApi.IMPORT.equals(suffix)) {
            try {
                imported = ContractJson.parseStrictly(body, MoveDatabase.Import.class);
                if (imported.source() == null || imported.database() == null) {
                    throw new IllegalArgumentException("`source` and `database` are required");
                }
            } catch (IllegalArgumentException e) {
                refused.add(e.getMessage() + ": " + body);
                answer(exchange, 400, "{\"message\":\"not the contract's import body\",\"code\":\"BAD_REQUEST\"}");
                return;
            }
        }
        Call call = new Call(method, id, body, exchange.getRequestHeaders().getFirst("Authorization"),
                imported == null ? null : imported.database());
        boolean fail = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        if (imported != null && imported.until() != null) {
            // installed, even when the answer then fails (a target that died or lost its answer keeps the copy)
            hosted.add(id);
        }
        calls.add(call);
        onCall.accept(call);
        if (failWhen.test(call) || fail) {
            answer(exchange, 503, "{\"message\":\"not now\",\"code\":\"DATABASE_UNAVAILABLE\"}");
            return;
        }
        Object answer = imported != null
                ? new MoveDatabase.Imported(id, imported.until() == null ? 1 : imported.until(),
                        imported.until() == null ? MoveDatabase.Imported.COPYING : PutDatabase.State.READY)
                : InternalApi.FENCE.equals(suffix) ? new MoveDatabase.Fenced(id, FENCED_FRAME)
                : new MoveDatabase.Imported(id, 0, "discarded");
        answer(exchange, 200, JSON.writeValueAsString(answer));
    }

    /** The commit frame a stand-in source answers to a fence. */
    public static final long FENCED_FRAME = 7;

    private static void answer(HttpExchange exchange, int status, String answer) throws IOException {
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
