package dev.libsqlplatform.controlplane.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Notices silent workers: every quarter of {@code platform.worker-timeout} (at most every second) it marks workers
 * without a heartbeat for longer than the timeout down ({@link WorkerService#markSilentWorkersDown}), so the API,
 * the metric {@code platform_workers{state}} and the log say so within the timeout plus one period.
 */
@Component
class WorkerMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerMonitor.class);

    private final WorkerService workers;
    private final long periodMillis;
    private final AtomicInteger up = new AtomicInteger();
    private final AtomicInteger down = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong intakeLagMillis = new java.util.concurrent.atomic.AtomicLong();
    private volatile ScheduledExecutorService executor;

    WorkerMonitor(WorkerService workers, PlatformProperties properties, MeterRegistry meters) {
        this.workers = workers;
        Duration timeout = properties.workerTimeout();
        this.periodMillis = Math.max(50, Math.min(1_000, timeout.toMillis() / 4));
        Gauge.builder("platform.workers", up, AtomicInteger::get).tag("state", Worker.UP)
                .description("registered workers by state: up (heartbeats arriving) or down (silent past platform.worker-timeout)")
                .register(meters);
        Gauge.builder("platform.workers", down, AtomicInteger::get).tag("state", Worker.DOWN)
                .description("registered workers by state: up (heartbeats arriving) or down (silent past platform.worker-timeout)")
                .register(meters);
        Gauge.builder("platform.usage.intake.lag", intakeLagMillis, v -> v.get() / 1000.0)
                .baseUnit("seconds")
                .description("age of the oldest last heartbeat among up workers: usage reports ride on heartbeats, so "
                        + "usage counted by workers reaches the control plane at most this late (down workers excluded)")
                .register(meters);
    }

    /** Heartbeats carry the usage reports: the oldest last heartbeat of an up worker bounds how stale usage is. */
    void check() {
        try {
            workers.markSilentWorkersDown();
            List<Worker> all = workers.all();
            int d = (int) all.stream().filter(w -> w.downSince() != null).count();
            down.set(d);
            up.set(all.size() - d);
            long now = dev.libsqlplatform.controlplane.metadata.Ids.now();
            intakeLagMillis.set(all.stream().filter(w -> w.downSince() == null)
                    .mapToLong(w -> Math.max(0, now - w.lastSeen())).max().orElse(0));
        } catch (RuntimeException e) {
            log.warn("worker liveness check failed (retrying): {}", e.toString());
        }
    }

    @Override
    public void start() {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "worker-monitor");
            t.setDaemon(true);
            return t;
        });
        ex.scheduleWithFixedDelay(this::check, 0, periodMillis, TimeUnit.MILLISECONDS);
        executor = ex;
    }

    @Override
    public void stop() {
        ScheduledExecutorService ex = executor;
        executor = null;
        if (ex != null) {
            ex.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
