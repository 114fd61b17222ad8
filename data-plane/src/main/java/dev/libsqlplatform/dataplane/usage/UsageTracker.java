package dev.libsqlplatform.dataplane.usage;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.dataplane.storage.StatementListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.springframework.stereotype.Component;

/**
 * Per-database usage counters and the usage reports built from them (docs/internals.md, "Usage reports").
 *
 * <p><b>Invariant</b>: every counted statement is in exactly one of (a) the live counters of its
 * database, (b) the single pending report, (c) a report the control plane acknowledged. A report is
 * made only when none is pending, by draining (a) into (b); a failed heartbeat leaves (b) untouched, so
 * the next heartbeat re-sends the very same report (same {@code reportId}, same numbers) while new
 * statements keep accumulating in (a) for the report after it. Only an HTTP 200 moves (b) to (c). The
 * control plane stores a {@code reportId} once, so a report it stored but whose answer was lost is not
 * counted twice when re-sent.
 *
 * <p>(b) is on disk ({@link UsageSpool}, fsynced) from before its first send until it is acknowledged, so a worker
 * killed with {@code kill -9} re-sends it after restart. What is lost to such a kill is what was still in (a): the
 * statements of less than one heartbeat interval (nothing is drawn into a report more often).
 *
 * <p>Worker-wide Micrometer counters {@code worker_rows_read_total} and {@code worker_rows_written_total}
 * carry no per-database tag (bounded cardinality).
 */
@Component
public class UsageTracker implements StatementListener.PerDatabase {
    /** Databases without activity are checked for a storage change this often. */
    static final long FULL_STORAGE_SCAN_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Map<String, DatabaseUsage> byDb = new ConcurrentHashMap<>();
    private final Counter rowsRead;
    private final Counter rowsWritten;
    private final UsageSpool spool;

    // reporting state: guarded by this (only the heartbeat thread uses it)
    private UsageReport pending;
    private final Map<String, Long> reportedStorage = new HashMap<>();
    private long lastFullScanNanos;
    private boolean scannedOnce;

    /** Without a spool: the pending report lives in memory only (tests of the counting itself). */
    public UsageTracker(MeterRegistry meters) {
        this(meters, (UsageSpool) null);
    }

    /** The worker's tracker: the pending report is spooled in {@code <data-dir>/usage-spool}. */
    @org.springframework.beans.factory.annotation.Autowired
    public UsageTracker(MeterRegistry meters, dev.libsqlplatform.dataplane.config.WorkerProperties props) {
        this(meters, new UsageSpool(props.dataDir().resolve("usage-spool")));
    }

    UsageTracker(MeterRegistry meters, java.nio.file.Path spoolDir) {
        this(meters, new UsageSpool(spoolDir));
    }

    private UsageTracker(MeterRegistry meters, UsageSpool spool) {
        this.spool = spool;
        // a report drawn before a crash or restart is sent again first, with its reportId
        this.pending = spool == null ? null : spool.load();
        this.rowsRead = Counter.builder("worker.rows.read")
                .description("rows read by statements on this worker (at least 1 per statement)").register(meters);
        this.rowsWritten = Counter.builder("worker.rows.written")
                .description("rows inserted, updated or deleted on this worker").register(meters);
    }

    /**
     * The counters of a database (created on first use); callers may keep the reference. Storage asks for them
     * when it opens the database and reports every statement to them: metering is a listener of execution.
     */
    @Override
    public DatabaseUsage forDatabase(String databaseId) {
        DatabaseUsage u = byDb.get(databaseId);
        return u != null ? u : byDb.computeIfAbsent(databaseId, id -> new DatabaseUsage(id, rowsRead, rowsWritten));
    }

    /**
     * The report to send with the next heartbeat: the pending one when the previous send failed, else a
     * new one drained from the counters. Null when there is nothing to report.
     *
     * @param databaseIds  the databases this worker holds now (for storage sizes and forgetting deleted ones)
     * @param storageBytes the current size of a database's files
     */
    public synchronized UsageReport nextReport(Collection<String> databaseIds, ToLongFunction<String> storageBytes) {
        if (pending != null) {
            return pending;
        }
        Set<String> held = new HashSet<>(databaseIds);
        long now = System.nanoTime();
        boolean fullScan = !scannedOnce || now - lastFullScanNanos >= FULL_STORAGE_SCAN_NANOS;
        Map<String, WorkerHeartbeat.DatabaseUsage> entries = new HashMap<>();
        for (DatabaseUsage u : byDb.values()) {
            DatabaseUsage.Drained d = u.drain();
            String id = u.databaseId();
            if (d.isEmpty()) {
                if (!held.contains(id)) {
                    byDb.remove(id, u); // deleted and idle: forget it
                }
                continue;
            }
            long size = held.contains(id) ? storageBytes.applyAsLong(id) : 0;
            entries.put(id, new WorkerHeartbeat.DatabaseUsage(id, d.rowsRead(), d.rowsWritten(), size, d.bytesSynced(),
                    d.topQueries()));
        }
        if (fullScan) {
            scannedOnce = true;
            lastFullScanNanos = now;
            reportedStorage.keySet().retainAll(held);
            for (String id : held) {
                if (!entries.containsKey(id)) {
                    long size = storageBytes.applyAsLong(id);
                    Long before = reportedStorage.get(id);
                    if (before == null || before != size) {
                        entries.put(id, new WorkerHeartbeat.DatabaseUsage(id, 0L, 0L, size, 0L, List.of()));
                    }
                }
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        for (WorkerHeartbeat.DatabaseUsage e : entries.values()) {
            if (held.contains(e.databaseId())) {
                reportedStorage.put(e.databaseId(), e.storageBytes());
            }
        }
        List<WorkerHeartbeat.DatabaseUsage> list = new ArrayList<>(entries.values());
        list.sort((a, b) -> a.databaseId().compareTo(b.databaseId()));
        UsageReport report = new UsageReport(UUID.randomUUID().toString(), list);
        if (spool != null) {
            spool.store(report); // durable before it can reach the control plane
        }
        pending = report;
        return pending;
    }

    /** The control plane answered 200 to the heartbeat carrying this report. */
    public synchronized void acknowledge(String reportId) {
        if (pending != null && pending.reportId().equals(reportId)) {
            if (spool != null) {
                spool.remove();
            }
            pending = null;
        }
    }

    /** The report waiting for acknowledgement, if any (for tests and diagnostics). */
    public synchronized UsageReport pending() {
        return pending;
    }
}
