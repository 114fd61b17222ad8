package dev.libsqlplatform.controlplane.placement;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.database.DatabaseEvents;
import dev.libsqlplatform.controlplane.worker.WorkerEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Runs the {@link Reconciler}, then {@link StrayCopies}, then the {@link Mover} (draining workers, strays), every {@code platform.reconcile-interval}
 * and whenever an event says there is work. After a database is created (or its keys changed) the reconciler also runs inline, on the request
 * thread, so the database is usually ready when the API call answers.
 */
@Component
class ReconcilerLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReconcilerLoop.class);

    private final Reconciler reconciler;
    private final Mover mover;
    private final StrayCopies strays;
    private final long intervalMillis;
    private final Object signal = new Object();
    private volatile boolean wakeUp;
    private volatile Thread thread;

    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    ReconcilerLoop(Reconciler reconciler, Mover mover, StrayCopies strays, PlatformProperties properties,
                   io.micrometer.core.instrument.MeterRegistry meters) {
        this.reconciler = reconciler;
        this.mover = mover;
        this.strays = strays;
        this.intervalMillis = Math.max(10, properties.reconcileInterval().toMillis());
        io.micrometer.core.instrument.Gauge.builder("platform.databases.pending", pending, java.util.concurrent.atomic.AtomicInteger::get)
                .description("databases not yet in their desired state after the last reconcile round (provisioning, deleting, keys not pushed)")
                .register(meters);
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void onCreated(DatabaseEvents.Created event) {
        inline(event.databaseId());
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void onConfigChanged(DatabaseEvents.ConfigChanged event) {
        inline(event.databaseId());
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void onDeleted(DatabaseEvents.Deleted event) {
        wake();
    }

    @EventListener
    void onWorker(WorkerEvents event) {
        strays.workerArrived(event.workerId());
        wake();
    }

    private void inline(String databaseId) {
        try {
            if (!reconciler.reconcile(databaseId)) {
                wake();
            }
        } catch (RuntimeException e) {
            log.warn("inline reconcile of {} failed, the loop retries: {}", databaseId, e.toString());
            wake();
        }
    }

    void wake() {
        synchronized (signal) {
            wakeUp = true;
            signal.notifyAll();
        }
    }

    private void run() {
        while (thread == Thread.currentThread()) {
            try {
                pending.set(reconciler.reconcileAll());
            } catch (RuntimeException e) {
                log.warn("reconcile round failed: {}", e.toString());
            }
            try {
                // before the mover: the strays found become abandoned moves it removes in the same round
                strays.sweep();
            } catch (RuntimeException e) {
                log.warn("stray-copy sweep failed: {}", e.toString());
            }
            try {
                // draining workers: databases move one step per round (Mover)
                mover.moveAll();
            } catch (RuntimeException e) {
                log.warn("move round failed: {}", e.toString());
            }
            synchronized (signal) {
                if (!wakeUp) {
                    try {
                        signal.wait(intervalMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wakeUp = false;
            }
        }
    }

    @Override
    public void start() {
        Thread t = new Thread(this::run, "reconciler");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @Override
    public void stop() {
        Thread t = thread;
        thread = null;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }
}
