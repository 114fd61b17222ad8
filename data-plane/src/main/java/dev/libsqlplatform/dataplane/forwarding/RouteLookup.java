package dev.libsqlplatform.dataplane.forwarding;

import dev.libsqlplatform.contract.internalapi.DatabaseRoute;
import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.dataplane.config.ServiceSecret;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Where a database lives, asked of the control plane and cached ({@link ForwardingProperties#routeTtl()}). */
@Component
class RouteLookup {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String controlPlane;
    private final ServiceSecret secret;
    private final ForwardingProperties props;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    RouteLookup(WorkerProperties worker, ForwardingProperties props, ServiceSecret secret) {
        this.controlPlane = worker.controlPlane("");
        this.props = props;
        this.secret = secret;
    }

    private record Cached(Optional<DatabaseRoute> route, long expiresAt) {
    }

    /** The route of the database with id {@code id}; empty when the control plane knows no such live database. */
    Optional<DatabaseRoute> byId(String id) {
        return lookup("id", id);
    }

    /** The route of the database holding hostname label {@code label}. */
    Optional<DatabaseRoute> byLabel(String label) {
        return lookup("label", label);
    }

    /** Forgets what is known about this database (its worker did not answer, or it moved). */
    void forget(DatabaseRoute route) {
        cache.remove("id:" + route.databaseId());
        cache.remove("label:" + route.label());
    }

    private Optional<DatabaseRoute> lookup(String kind, String value) {
        String key = kind + ":" + value;
        long now = System.nanoTime();
        Cached c = cache.get(key);
        if (c != null && c.expiresAt() - now > 0) {
            return c.route();
        }
        if (!takeLookupPermit()) {
            // requests naming databases nobody here hosts must not turn into a flood on the control plane
            return unknown("more than " + props.maxLookupsPerSecond() + " route questions in one second");
        }
        Optional<DatabaseRoute> route = ask(kind, value);
        if (cache.size() >= props.maxRoutes()) {
            cache.clear();
        }
        Duration ttl = route.isPresent() ? props.routeTtl() : props.missingTtl();
        cache.put(key, new Cached(route, now + ttl.toNanos()));
        return route;
    }

    private Optional<DatabaseRoute> ask(String kind, String value) {
        URI uri = URI.create(controlPlane + InternalApi.ROUTES + "?" + kind + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + secret.value()).header("Accept", "application/json").build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                return unknown("the control plane answered " + response.statusCode());
            }
            return Optional.of(JSON.readValue(response.body(), DatabaseRoute.class));
        } catch (IOException | RuntimeException e) {
            return unknown("the control plane cannot be reached: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Without the control plane a worker cannot tell a database hosted elsewhere from one that does not exist: it
     * answers as for an unknown database (401, so nothing about other tenants leaks) and says why in its log, at
     * most once every 30 s.
     */
    private Optional<DatabaseRoute> unknown(String why) {
        long now = System.nanoTime();
        long last = lastWarned;
        if (now - last > 30_000_000_000L) {
            lastWarned = now;
            log.warn("cannot learn where a database not hosted here lives, so it is refused as unknown: {}", why);
        }
        return Optional.empty();
    }

    private final java.util.concurrent.atomic.AtomicLong window = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger inWindow = new java.util.concurrent.atomic.AtomicInteger();

    /** A fixed one-second window: at most {@code maxLookupsPerSecond} questions to the control plane in each. */
    private boolean takeLookupPermit() {
        long second = System.nanoTime() / 1_000_000_000L;
        long current = window.get();
        if (current != second && window.compareAndSet(current, second)) {
            inWindow.set(0);
        }
        return inWindow.incrementAndGet() <= props.maxLookupsPerSecond();
    }

    private volatile long lastWarned = System.nanoTime() - 60_000_000_000L;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RouteLookup.class);
}
