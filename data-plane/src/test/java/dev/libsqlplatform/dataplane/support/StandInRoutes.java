package dev.libsqlplatform.dataplane.support;

import com.sun.net.httpserver.HttpServer;
import dev.libsqlplatform.contract.internalapi.InternalApi;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in control plane for forwarding tests: it answers the route lookup ({@link InternalApi#ROUTES}) from
 * {@link #routes} (401 without the service secret, 404 for an unknown database), the stray check
 * ({@link InternalApi#STRAYS}) with the asked ids that are in {@link #strays} (recording each question in
 * {@link #strayChecks}; 503 while {@link #strayCheckDown}), and accepts heartbeats and every other call with 200.
 */
public final class StandInRoutes implements AutoCloseable {
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();
    /** Database id → the route JSON answered for it; tests change it to move a database. */
    public final Map<String, String> routes = new ConcurrentHashMap<>();
    /** Database ids a worker that asks is told not to serve. */
    public final java.util.Set<String> strays = ConcurrentHashMap.newKeySet();
    /** The stray checks asked (their JSON bodies), with the service secret only. */
    public final java.util.List<String> strayChecks = new java.util.concurrent.CopyOnWriteArrayList<>();
    public volatile boolean strayCheckDown;
    private final HttpServer server;

    public StandInRoutes(String serviceSecret) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(InternalApi.ROUTES, exchange -> {
            String query = exchange.getRequestURI().getQuery();
            String id = query != null && query.startsWith("id=") ? query.substring(3) : null;
            String route = id == null ? null : routes.get(id);
            boolean authorized = ("Bearer " + serviceSecret).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (route == null ? "{}" : route).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(!authorized ? 401 : route == null ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext(InternalApi.STRAYS, exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean authorized = ("Bearer " + serviceSecret).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            int status = !authorized ? 401 : strayCheckDown ? 503 : 200;
            String answer = "{}";
            if (status == 200) {
                strayChecks.add(body);
                java.util.List<String> told = new java.util.ArrayList<>();
                JSON.readTree(body).path("databaseIds").forEach(id -> {
                    if (strays.contains(id.asString())) {
                        told.add(id.asString());
                    }
                });
                answer = JSON.writeValueAsString(java.util.Map.of("strays", told));
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1); // heartbeats and the rest
            exchange.close();
        });
        server.start();
    }

    /** The worker setting that points a worker at this control plane. */
    public String workerSetting() {
        return "platform.worker.control-plane-url=http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
