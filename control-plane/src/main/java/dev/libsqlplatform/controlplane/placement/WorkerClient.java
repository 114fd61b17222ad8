package dev.libsqlplatform.controlplane.placement;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.MoveDatabase;
import dev.libsqlplatform.contract.internalapi.PutDatabase;
import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.security.ServiceSecret;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Control plane → worker internal API (docs/internals.md); every call is idempotent and carries the service secret.
 * The body is the contract's {@link PutDatabase}, the very record the worker binds, so the two cannot drift apart.
 */
@Component
class WorkerClient {

    private final HttpClient http;
    private final Duration timeout;
    private final ServiceSecret secret;
    private final JsonMapper json;

    WorkerClient(PlatformProperties properties, ServiceSecret secret, JsonMapper json) {
        this.timeout = properties.workerCallTimeout();
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.secret = secret;
        this.json = json;
    }

    void put(String workerUrl, String databaseId, PutDatabase body) throws WorkerCallException {
        send(HttpRequest.newBuilder(uri(workerUrl, databaseId))
                .PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .header("Content-Type", "application/json"));
    }

    void delete(String workerUrl, String databaseId) throws WorkerCallException {
        send(HttpRequest.newBuilder(uri(workerUrl, databaseId)).DELETE());
    }

    /**
     * Asks the target to pull the database from the source (a move's copy; {@code until} set: the final catch-up and
     * install). The copy may take long: bounded by {@code copyTimeout}, not the short call timeout.
     */
    MoveDatabase.Imported importFrom(String targetUrl, String databaseId, MoveDatabase.Import body, Duration copyTimeout)
            throws WorkerCallException {
        String answer = send(HttpRequest.newBuilder(URI.create(uri(targetUrl, databaseId) + InternalApi.IMPORT))
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .header("Content-Type", "application/json"), copyTimeout);
        return json.readValue(answer, MoveDatabase.Imported.class);
    }

    /** The ids of the databases the worker holds ({@code GET <DATABASES>}). */
    List<String> hosted(String workerUrl) throws WorkerCallException {
        String answer = send(HttpRequest.newBuilder(URI.create(base(workerUrl) + InternalApi.DATABASES)).GET(), timeout);
        List<String> ids = new ArrayList<>();
        json.readTree(answer).path("databases").forEach(d -> ids.add(d.path("id").asString()));
        return ids;
    }

    /** Drops the target's staged copy of an abandoned move. */
    void discardImport(String targetUrl, String databaseId) throws WorkerCallException {
        send(HttpRequest.newBuilder(URI.create(uri(targetUrl, databaseId) + InternalApi.IMPORT)).DELETE());
    }

    /** Fences the source's writer; answers the commit no write can pass (idempotent while the fence holds). */
    long fence(String sourceUrl, String databaseId) throws WorkerCallException {
        String answer = send(HttpRequest.newBuilder(URI.create(uri(sourceUrl, databaseId) + InternalApi.FENCE))
                .POST(HttpRequest.BodyPublishers.noBody()), timeout);
        return json.readValue(answer, MoveDatabase.Fenced.class).frameNo();
    }

    void unfence(String sourceUrl, String databaseId) throws WorkerCallException {
        send(HttpRequest.newBuilder(URI.create(uri(sourceUrl, databaseId) + InternalApi.FENCE)).DELETE());
    }

    private void send(HttpRequest.Builder request) throws WorkerCallException {
        send(request, timeout);
    }

    private String send(HttpRequest.Builder request, Duration callTimeout) throws WorkerCallException {
        HttpRequest r = request.timeout(callTimeout).header("Authorization", "Bearer " + secret.value())
                .header("Accept", "application/json").build();
        try {
            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
            String body = response.body() == null ? "" : response.body();
            if (response.statusCode() != 200) {
                throw new WorkerCallException(response.statusCode(), r.method() + " " + r.uri() + " answered "
                        + response.statusCode() + ": " + body.substring(0, Math.min(300, body.length())));
            }
            return body;
        } catch (IOException e) {
            throw new WorkerCallException(0, r.method() + " " + r.uri() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerCallException(0, r.method() + " " + r.uri() + " interrupted");
        }
    }

    private static URI uri(String workerUrl, String databaseId) {
        return URI.create(base(workerUrl) + InternalApi.DATABASES + "/" + databaseId);
    }

    private static String base(String workerUrl) {
        return workerUrl.endsWith("/") ? workerUrl.substring(0, workerUrl.length() - 1) : workerUrl;
    }

    static final class WorkerCallException extends Exception {
        private final int status;

        /** {@code status}: the worker's HTTP status, 0 when no answer came. */
        WorkerCallException(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        /** The worker refused the database's hostname label: another database holds it there (internals.md). */
        boolean labelConflict() {
            return status == 409;
        }
    }
}
