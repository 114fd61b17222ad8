package dev.libsqlplatform.controlplane.quota;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.libsqlplatform.controlplane.database.DatabaseEvents;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.organization.OrganizationQuotaChanged;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.plan.QuotaProperties;
import dev.libsqlplatform.controlplane.usage.UsageStored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Runs {@link QuotaService#enforce} for every organization with news (usage stored, plan/overrides/overages
 * changed, a database created, configured or deleted) every {@code platform.quotas.enforce-interval}, and for every
 * blocked organization every {@code sweep-interval} and as soon as the clock enters a new month (monthly quotas
 * reset). Work is keyed by organization, so a burst of reports costs one recompute per organization per tick.
 */
@Component
class QuotaEnforcer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(QuotaEnforcer.class);

    private final QuotaService quotas;
    private final OrganizationService organizations;
    private final DatabaseService databases;
    private final QuotaProperties properties;
    private final Clock clock;
    /** Organizations to enforce in full. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** Organizations with news about some of their databases only (created, configured): those are enforced. */
    private final Map<String, Set<String>> dirtyDatabases = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private volatile boolean sweepAll = true;
    private volatile Thread thread;
    private YearMonth month;
    private long lastSweepNanos;

    QuotaEnforcer(QuotaService quotas, OrganizationService organizations, DatabaseService databases,
                  QuotaProperties properties, Clock clock) {
        this.quotas = quotas;
        this.organizations = organizations;
        this.databases = databases;
        this.properties = properties;
        this.clock = clock;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onQuotaChanged(OrganizationQuotaChanged event) {
        mark(event.organizationId());
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onUsageStored(UsageStored event) {
        event.organizationIds().forEach(this::mark);
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onCreated(DatabaseEvents.Created event) {
        markOnly(event.databaseId());
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onConfigChanged(DatabaseEvents.ConfigChanged event) {
        markOnly(event.databaseId());
    }

    /** A database created or (re)configured: its own cap and blocks, not the organization's other databases'. */
    private void markOnly(String databaseId) {
        databases.byId(databaseId).ifPresent(db -> {
            dirtyDatabases.computeIfAbsent(db.organizationId(), k -> ConcurrentHashMap.newKeySet()).add(databaseId);
            wake();
        });
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onDeleted(DatabaseEvents.Deleted event) {
        if (event.databaseId() == null) {
            sweepAll = true; // a group's databases: the organization is not named
            wake();
        } else {
            markDatabase(event.databaseId());
        }
    }

    private void markDatabase(String databaseId) {
        databases.byId(databaseId).ifPresent(db -> mark(db.organizationId()));
    }

    private void mark(String organizationId) {
        dirty.add(organizationId);
        wake();
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** One round (also called by tests through the loop): the organizations with news, then the sweep if due. */
    void round() {
        YearMonth now = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
        long nanos = System.nanoTime();
        boolean sweep = sweepAll || !now.equals(month) || nanos - lastSweepNanos >= properties.sweepInterval().toNanos();
        if (sweep) {
            sweepAll = false;
            month = now;
            lastSweepNanos = nanos;
            dirty.addAll(organizations.blockedIds());
        }
        List<String> batch = new ArrayList<>(dirty);
        for (String org : batch) {
            dirty.remove(org);
            // a full enforcement covers the databases' news too
            dirtyDatabases.remove(org);
            try {
                quotas.enforce(org);
            } catch (RuntimeException e) {
                dirty.add(org); // retried next round
                log.warn("quota enforcement for organization {} failed (retrying): {}", org, e.toString());
            }
        }
        for (String org : new ArrayList<>(dirtyDatabases.keySet())) {
            Set<String> ids = dirtyDatabases.remove(org);
            if (ids == null || ids.isEmpty()) {
                continue;
            }
            try {
                quotas.enforce(org, ids);
            } catch (RuntimeException e) {
                dirty.add(org); // retried next round, in full
                log.warn("quota enforcement for organization {} failed (retrying): {}", org, e.toString());
            }
        }
    }

    private void loop() {
        long interval = properties.enforceInterval().toMillis();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                round();
                synchronized (signal) {
                    if (dirty.isEmpty() && dirtyDatabases.isEmpty() && !sweepAll) {
                        signal.wait(interval);
                    }
                }
                // coalesce a burst of events into one round
                Thread.sleep(Math.min(interval, 50));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("quota enforcer round failed: {}", e.toString());
            }
        }
    }

    @Override
    public void start() {
        Thread t = new Thread(this::loop, "quota-enforcer");
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
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }
}
