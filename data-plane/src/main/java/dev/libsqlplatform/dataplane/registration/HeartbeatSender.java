package dev.libsqlplatform.dataplane.registration;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.dataplane.config.ServiceSecret;
import dev.libsqlplatform.dataplane.config.WorkerIdentity;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import dev.libsqlplatform.dataplane.replication.ReplicationReport;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.usage.UsageReport;
import dev.libsqlplatform.dataplane.usage.UsageTracker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers this worker with the control plane: a heartbeat at start and every heartbeat-interval on a
 * background thread. Failures are logged at WARN (never with the secret) and retried on the next tick;
 * SQL keeps being served meanwhile (keys are on disk).
 *
 * <p>The body is the contract's {@link WorkerHeartbeat}, the record the control plane binds. Each heartbeat carries the usage report of {@link UsageTracker#nextReport} ({@code reportId} +
 * {@code usage}; both omitted when there is nothing to report). Only an HTTP 2xx acknowledges it; after a
 * failure the same report (same {@code reportId}, same deltas) is sent again, see the invariant on
 * {@link UsageTracker}. It also carries {@link ReplicationReport#changes} (acknowledged the same way).
 */
@Component
class HeartbeatSender implements ApplicationListener<WebServerInitializedEvent>, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatSender.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WorkerProperties props;
    private final WorkerIdentity identity;
    private final ServiceSecret secret;
    private final DatabaseRegistry registry;
    private final UsageTracker usage;
    private final ReplicationReport replication;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile String publicUrl;
    private volatile boolean lastFailed;

    HeartbeatSender(WorkerProperties props, WorkerIdentity identity, ServiceSecret secret, DatabaseRegistry registry,
                    UsageTracker usage, ReplicationReport replication) {
        this.usage = usage;
        this.replication = replication;
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
        scheduler.scheduleWithFixedDelay(this::beatSafely, 0, period, TimeUnit.MILLISECONDS);
        long spoolPeriod = props.usageSpoolInterval().toMillis();
        if (spoolPeriod > 0 && spoolPeriod < period) {
            // the same thread as the heartbeat: a draw never races with the report being built
            scheduler.scheduleWithFixedDelay(this::spoolSafely, spoolPeriod, spoolPeriod, TimeUnit.MILLISECONDS);
        }
    }

    /** A task of a ScheduledExecutorService that throws is never run again: never let one escape. */
    private void beatSafely() {
        try {
            beat();
        } catch (RuntimeException e) {
            log.warn("heartbeat failed: {}", e.toString());
        }
    }

    private void spoolSafely() {
        try {
            usage.spool(registry.ids(), registry::storageBytes);
        } catch (RuntimeException e) {
            log.warn("cannot spool the usage counters: {}", e.toString());
        }
    }

    /** One heartbeat; synchronized so a report is never in flight twice at once. */
    synchronized void beat() {
        UsageReport report;
        try {
            report = usage.nextReport(registry.ids(), registry::storageBytes);
        } catch (RuntimeException e) {
            log.warn("cannot build the usage report: {}", e.toString());
            report = null;
        }
        List<WorkerHeartbeat.DatabaseReplication> replicationState;
        try {
            replicationState = replication.changes();
        } catch (RuntimeException e) {
            log.warn("cannot build the replication report: {}", e.toString());
            replicationState = null;
        }
        WorkerHeartbeat payload = new WorkerHeartbeat(identity.id(), publicUrl, (long) props.capacity(),
                (long) registry.count(), report == null ? null : report.reportId(), report == null ? null : report.usage(),
                replicationState);
        String body = JSON.writeValueAsString(payload);
        String target = props.controlPlane(InternalApi.HEARTBEAT);
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
            } else {
                if (report != null) {
                    usage.acknowledge(report.reportId());
                }
                replication.acknowledge(replicationState);
                if (lastFailed) {
                    lastFailed = false;
                    log.info("heartbeat to {} succeeds again", target);
                }
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

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
