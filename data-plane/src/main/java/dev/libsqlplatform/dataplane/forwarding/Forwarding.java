package dev.libsqlplatform.dataplane.forwarding;

import dev.libsqlplatform.contract.hostname.HostnameLabel;
import dev.libsqlplatform.contract.internalapi.DatabaseRoute;
import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.token.Jws;
import dev.libsqlplatform.contract.token.TokenFormatException;
import dev.libsqlplatform.dataplane.config.ServiceSecret;
import dev.libsqlplatform.dataplane.config.WorkerIdentity;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Decides whether a request this worker cannot serve belongs to a database hosted elsewhere, and forwards it there.
 * Only the unhappy path comes here (the transport calls {@link #target} after authentication failed), so requests
 * for local databases pay nothing for it.
 */
@Component
public class Forwarding {
    private static final Logger log = LoggerFactory.getLogger(Forwarding.class);

    private final DatabaseRegistry registry;
    private final RouteLookup routes;
    private final ServiceSecret secret;
    private final String selfId;
    private final HostnameLabel.BaseDomain baseDomain;
    private final ForwardingProperties props;
    private final MeterRegistry meters;
    private final HttpClient http;
    /**
     * WebSocket relays get a client of their own with the default executor: their listeners hand answers to client
     * sessions, which may block on a slow client, and must not hold up the selector thread {@link #http} runs on.
     */
    private final HttpClient sockets;

    Forwarding(DatabaseRegistry registry, RouteLookup routes, ServiceSecret secret, WorkerIdentity identity,
               WorkerProperties worker, ForwardingProperties props, MeterRegistry meters) {
        this.registry = registry;
        this.routes = routes;
        this.secret = secret;
        this.selfId = identity.id();
        this.baseDomain = new HostnameLabel.BaseDomain(worker.baseDomain());
        this.props = props;
        this.meters = meters;
        // the answer is completed on the client's selector thread instead of being handed to a pool thread first: the
        // body handler only collects bytes, and the request thread waiting in send() is woken once, not twice
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1).executor(Runnable::run).build();
        this.sockets = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** What the transport knows of a request before its body is read. */
    public record Incoming(String authorization, String host, String clientAddress, boolean alreadyForwarded) {
    }

    /** A request to send on: its route, and the parts the hosting worker needs. */
    public record Outgoing(String method, String pathAndQuery, String contentType, byte[] body) {
    }

    /** The hosting worker's answer, passed to the client as it is. */
    public record Answer(int status, String contentType, byte[] body) {
        /** The worker the route named does not host the database (any more): nothing was executed there. */
        boolean notHere() {
            return status == ErrorCode.DATABASE_NOT_HERE.httpStatus() && body != null
                    && new String(body, java.nio.charset.StandardCharsets.UTF_8).contains(ErrorCode.DATABASE_NOT_HERE.name());
        }
    }

    /**
     * The route to forward to, when the request names a database this worker does not host and another worker does;
     * empty when it is not such a request (the caller then answers its own error, e.g. 401 for an unknown database).
     * Throws {@code DATABASE_UNAVAILABLE} when the database exists but its worker is down or not yet known.
     */
    public Optional<DatabaseRoute> target(Incoming in) {
        if (!props.enabled() || in.alreadyForwarded()) {
            return Optional.empty(); // a forwarded request is answered where it lands, never sent on again
        }
        Optional<DatabaseRoute> route;
        String label = baseDomain.labelOf(in.host());
        if (label != null) {
            if (registry.idForLabel(label) != null) {
                return Optional.empty();
            }
            route = routes.byLabel(label);
        } else {
            String id = tokenDatabaseId(in.authorization());
            if (id == null || registry.meta(id) != null) {
                return Optional.empty();
            }
            route = routes.byId(id);
        }
        if (route.isEmpty() || selfId.equals(route.get().workerId())) {
            return Optional.empty();
        }
        DatabaseRoute r = route.get();
        if (!r.reachable()) {
            count(r.workerId(), "unavailable");
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, r.workerUrl() == null
                    ? "the database is being placed on a worker; retry in a moment"
                    : "the database is unavailable: the worker hosting it (" + r.workerId() + ") is down");
        }
        return route;
    }

    /**
     * Sends the request to the hosting worker and returns its answer; {@code DATABASE_UNAVAILABLE} when it fails.
     *
     * <p>A route may be stale: the database moved since it was cached ({@code route-ttl}). The worker it names then
     * answers {@code 421 DATABASE_NOT_HERE} without executing anything, so the route is forgotten, asked again and
     * the request sent once more, to the new host. A second such answer, no new host, or a database that is found
     * here now (it moved to this very worker meanwhile), answers the retryable {@code DATABASE_UNAVAILABLE}; the
     * client never sees the 421, nor a 401 for a valid token because of a move.
     */
    public Answer forward(DatabaseRoute route, Incoming in, Outgoing out) {
        Answer answer = send(route, in, out);
        if (!answer.notHere()) {
            return answer;
        }
        routes.forget(route);
        count(route.workerId(), "moved");
        log.info("worker {} no longer hosts database {}: its route was stale, asking the control plane again",
                route.workerId(), route.databaseId());
        Optional<DatabaseRoute> next = target(in);
        if (next.isEmpty()) {
            // moved here meanwhile, deleted, or the control plane did not answer: the token may well be valid, so the
            // retryable error rather than 401 (a retry of a deleted database's request then gets the usual 401)
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, hostsLocally(in)
                    ? "the database has just moved to this worker; retry the request"
                    : "the database has moved and its new worker is not known yet; retry the request");
        }
        Answer again = send(next.get(), in, out);
        if (again.notHere()) {
            routes.forget(next.get());
            count(next.get().workerId(), "moved");
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, "the database is being moved; retry the request");
        }
        return again;
    }

    private Answer send(DatabaseRoute route, Incoming in, Outgoing out) {
        String base = route.workerUrl().endsWith("/") ? route.workerUrl().substring(0, route.workerUrl().length() - 1)
                : route.workerUrl();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + out.pathAndQuery()))
                .timeout(props.timeout())
                .method(out.method(), out.body() == null || out.body().length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(out.body()))
                .header(InternalApi.FORWARDED_BY, secret.value());
        if (in.authorization() != null) {
            request.header("Authorization", in.authorization());
        }
        if (out.contentType() != null) {
            request.header("Content-Type", out.contentType());
        }
        if (in.clientAddress() != null) {
            request.header(InternalApi.FORWARDED_FOR, in.clientAddress());
        }
        if (in.host() != null) {
            request.header(InternalApi.FORWARDED_HOST, in.host());
        }
        Timer.Sample sample = Timer.start(meters);
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Answer answer = new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.body());
            if (answer.notHere()) {
                return answer; // counted as "moved" by the caller
            }
            sample.stop(Timer.builder("worker.forwarded.request.duration").tag("worker", route.workerId())
                    .description("time of requests forwarded to the worker hosting the database").register(meters));
            count(route.workerId(), "forwarded");
            return answer;
        } catch (IOException e) {
            routes.forget(route);
            count(route.workerId(), "failed");
            log.warn("forwarding to worker {} at {} failed: {}", route.workerId(), route.workerUrl(), e.toString());
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE,
                    "the database is unavailable: the worker hosting it (" + route.workerId() + ") does not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, "interrupted while forwarding");
        }
    }

    /**
     * True when a request forwarded here ({@code in.alreadyForwarded()}, i.e. it carried the service secret) whose
     * token this worker could not verify names a database this worker does not host: the forwarding worker's route is
     * stale, and the request is answered {@code DATABASE_NOT_HERE} instead of 401. Always false for a request without
     * the service secret, so a tenant cannot tell another database's existence from this answer.
     */
    public boolean notHere(Incoming in) {
        return in.alreadyForwarded() && !hostsLocally(in);
    }

    /** Whether the database the request names (its Host label, else its token's {@code id} claim) is hosted here. */
    private boolean hostsLocally(Incoming in) {
        String label = baseDomain.labelOf(in.host());
        if (label != null) {
            return registry.idForLabel(label) != null;
        }
        String id = tokenDatabaseId(in.authorization());
        return id == null || registry.meta(id) != null; // a token naming no database is simply unauthorized
    }

    /**
     * Opens a relay of a Hrana WebSocket connection to the worker hosting its database, with the client's address and
     * Host named as for HTTP. Returns at once: the client's first messages wait in the relay until the connection is
     * open, and a connection that cannot be opened is reported to {@code down} ({@code DATABASE_UNAVAILABLE} there).
     *
     * @param subprotocol the subprotocol negotiated with the client (empty: Hrana 1, none offered upstream)
     */
    public SocketRelay relay(DatabaseRoute route, Incoming in, String subprotocol, SocketRelay.Downstream down) {
        java.util.concurrent.atomic.AtomicReference<DatabaseRoute> current =
                new java.util.concurrent.atomic.AtomicReference<>(route);
        SocketRelay relay = new SocketRelay(new SocketRelay.Downstream() {
            @Override
            public void send(String text) {
                down.send(text);
            }

            @Override
            public void close(int code, String reason) {
                down.close(code, reason);
            }

            @Override
            public void failed(Throwable error, boolean answered) {
                routes.forget(current.get());
                count(current.get().workerId(), "failed");
                log.warn("relaying a WebSocket to worker {} at {} failed: {}", current.get().workerId(),
                        current.get().workerUrl(), error.toString());
                down.failed(error, answered);
            }
        }, listener -> {
            // the route was stale (the database moved): ask again, and open a connection to the new host
            DatabaseRoute stale = current.get();
            routes.forget(stale);
            count(stale.workerId(), "moved");
            log.info("worker {} no longer hosts database {}: its route was stale, asking the control plane again",
                    stale.workerId(), stale.databaseId());
            Optional<DatabaseRoute> next;
            try {
                next = target(in);
            } catch (ApiException e) {
                return null; // down or not placed: the client gets DATABASE_UNAVAILABLE, as for any relay that fails
            }
            if (next.isEmpty()) {
                return null;
            }
            current.set(next.get());
            count(next.get().workerId(), "forwarded");
            return open(next.get(), in, subprotocol, listener);
        });
        count(route.workerId(), "forwarded");
        relay.connecting(open(route, in, subprotocol, relay.listener()));
        return relay;
    }

    private java.util.concurrent.CompletableFuture<WebSocket> open(DatabaseRoute route, Incoming in,
                                                                   String subprotocol, WebSocket.Listener listener) {
        String base = route.workerUrl().replaceFirst("^http", "ws").replaceAll("/+$", "");
        WebSocket.Builder builder = sockets.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2))
                .header(InternalApi.FORWARDED_BY, secret.value());
        if (in.clientAddress() != null) {
            builder.header(InternalApi.FORWARDED_FOR, in.clientAddress());
        }
        if (in.host() != null) {
            builder.header(InternalApi.FORWARDED_HOST, in.host());
        }
        if (subprotocol != null && !subprotocol.isEmpty()) {
            builder.subprotocols(subprotocol);
        }
        return builder.buildAsync(URI.create(base + "/"), listener);
    }

    /**
     * True when {@code forwardedBy} (the {@link InternalApi#FORWARDED_BY} header) is the service secret: only then may
     * the request name the client's address and Host.
     */
    public boolean trusted(String forwardedBy) {
        return forwardedBy != null && secret.matches(forwardedBy);
    }

    private void count(String workerId, String outcome) {
        Counter.builder("worker.forwarded.requests").tag("worker", workerId == null ? "none" : workerId)
                .tag("outcome", outcome)
                .description("requests for databases hosted by another worker: forwarded, unavailable (worker down), "
                        + "failed (no answer)")
                .register(meters).increment();
    }

    /** The unverified {@code id} claim (the hosting worker verifies the token); null when there is none. */
    private static String tokenDatabaseId(String authorization) {
        if (authorization == null) {
            return null;
        }
        String v = authorization.trim();
        if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            v = v.substring(7).trim();
        }
        try {
            String id = Jws.decode(v).claims().id();
            return id == null || id.isBlank() ? null : id;
        } catch (TokenFormatException | RuntimeException e) {
            return null;
        }
    }
}
