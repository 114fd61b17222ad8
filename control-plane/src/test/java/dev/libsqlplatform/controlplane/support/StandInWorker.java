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

/**
 * A stand-in for a worker's internal API on a real HTTP port (JDK HttpServer): records every call and
 * answers 503 to the first {@code failFirst} calls, 200 afterwards, as docs/internals.md describes.
 */
public final class StandInWorker implements AutoCloseable {

    public record Call(String method, String databaseId, String body, String authorization) {
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft;
    private final java.util.Set<String> refusedNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final HttpServer server;

    public StandInWorker(int failFirst) {
        this.failuresLeft = new AtomicInteger(failFirst);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/internal/v1/databases/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void failNext(int n) {
        failuresLeft.set(n);
    }

    /** PUTs of databases named {@code name} answer 409 LABEL_CONFLICT, as a worker whose label is held elsewhere. */
    public void refuseLabelOf(String name) {
        refusedNames.add(name);
    }

    public void acceptLabelOf(String name) {
        refusedNames.remove(name);
    }

    public List<Call> callsFor(String databaseId) {
        return calls.stream().filter(c -> c.databaseId().equals(databaseId)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring("/internal/v1/databases/".length());
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.add(new Call(exchange.getRequestMethod(), id, body, exchange.getRequestHeaders().getFirst("Authorization")));
        int status;
        String answer;
        boolean refused = "PUT".equals(exchange.getRequestMethod())
                && refusedNames.stream().anyMatch(n -> body.contains("\"name\":\"" + n + "\""));
        if (refused) {
            status = 409;
            answer = "{\"message\":\"hostname label is held by database other on this worker\",\"code\":\"LABEL_CONFLICT\"}";
        } else if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            status = 503;
            answer = "{\"message\":\"not now\",\"code\":\"UNAVAILABLE\"}";
        } else {
            status = 200;
            answer = "{\"id\":\"" + id + "\",\"state\":\"" + ("DELETE".equals(exchange.getRequestMethod()) ? "deleted" : "ready") + "\"}";
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
