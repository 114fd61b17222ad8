package dev.libsqlplatform.dataplane.registration;

import dev.libsqlplatform.dataplane.config.ServiceSecret;
import dev.libsqlplatform.dataplane.config.WorkerIdentity;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Registers this worker with the control plane: a heartbeat at start and every heartbeat-interval on a
 * background thread. Failures are logged at WARN (never with the secret) and retried on the next tick;
 * SQL keeps being served meanwhile (keys are on disk).
 */
@Component
class HeartbeatSender implements ApplicationListener<WebServerInitializedEvent>, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatSender.class);

    private final WorkerProperties props;
    private final WorkerIdentity identity;
    private final ServiceSecret secret;
    private final DatabaseRegistry registry;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile String publicUrl;
    private volatile boolean lastFailed;

    HeartbeatSender(WorkerProperties props, WorkerIdentity identity, ServiceSecret secret, DatabaseRegistry registry) {
        this.props = props;
        this.identity = identity;
        this.secret = secret;
        this.registry = registry;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getParent() != null || !started.compareAndSet(false, true)) {
            return; // only the main server (not the management one) starts the heartbeat
        }
        publicUrl = props.publicUrl() != null && !props.publicUrl().isBlank() ? props.publicUrl()
                : "http://127.0.0.1:" + event.getWebServer().getPort();
        long period = Math.max(100, props.heartbeatInterval().toMillis());
        scheduler.scheduleWithFixedDelay(this::beat, 0, period, TimeUnit.MILLISECONDS);
    }

    void beat() {
        String body = "{\"id\":" + quote(identity.id()) + ",\"url\":" + quote(publicUrl) + ",\"capacity\":"
                + props.capacity() + ",\"databases\":" + registry.count() + "}";
        String target = props.controlPlaneUrl().replaceAll("/+$", "") + "/internal/v1/workers/heartbeat";
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(target))
                    .timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + secret.value())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<Void> resp = http.send(req, HttpResponse.BodyHandlers.discarding());
            if (resp.statusCode() / 100 != 2) {
                failed("heartbeat to " + target + " answered HTTP " + resp.statusCode());
            } else if (lastFailed) {
                lastFailed = false;
                log.info("heartbeat to {} succeeds again", target);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed("heartbeat to " + target + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
    }

    private void failed(String message) {
        if (!lastFailed) {
            log.warn("{}; retrying every {}", message, props.heartbeatInterval());
        } else {
            log.debug(message);
        }
        lastFailed = true;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
