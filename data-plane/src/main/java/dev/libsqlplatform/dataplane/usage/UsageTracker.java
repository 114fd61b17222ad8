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
 * <p>Counters are drawn at every heartbeat: into (b) when nothing is pending, else into a follow-up report (never sent
 * yet, so it may grow) that becomes (b) after the acknowledgement. Both are on disk ({@link UsageSpool}, fsynced)
 * before (b) is first sent, so a worker killed with {@code kill -9} re-sends them after restart. Between heartbeats
 * {@link #spool} draws the counters to disk every {@code usage-spool-interval}; what a {@code kill -9} loses is what
 * was still in (a): the statements of less than one spool interval (250 ms by default).
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
    private boolean pendingSent;
    private UsageReport followUp;
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
        // reports drawn before a crash or restart are sent first, the pending one with its reportId
        this.pending = spool == null ? null : spool.load(false);
        this.pendingSent = pending != null; // it may have reached the control plane: never change it
        this.followUp = spool == null ? null : spool.load(true);
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
     * The report to send with the next heartbeat, null when there is nothing to report. While a sent report waits for
     * its acknowledgement it is sent again unchanged (same id, same numbers), and what was counted meanwhile is drawn
     * into a follow-up report that has not been sent yet (so it may still grow), spooled too; after the
     * acknowledgement the follow-up is sent next. Counters therefore reach the disk at every heartbeat.
     *
     * @param databaseIds  the databases this worker holds now (for storage sizes and forgetting deleted ones)
     * @param storageBytes the current size of a database's files
     */
    public synchronized UsageReport nextReport(Collection<String> databaseIds, ToLongFunction<String> storageBytes) {
        if (pending == null && followUp != null) {
            pending = followUp;
            followUp = null;
            if (spool != null) {
                spool.promoteFollowUp();
            }
        }
        absorb(draw(databaseIds, storageBytes));
        if (pending == null) {
            return null;
        }
        pendingSent = true; // the caller sends it now; from here on it never changes
        return pending;
    }

    /**
     * Draws what was counted since the last draw into the report not sent yet, on disk, without sending anything:
     * run between heartbeats ({@code platform.worker.usage-spool-interval}) so that a {@code kill -9} loses at most
     * that interval of counts, not a whole heartbeat interval.
     */
    public synchronized void spool(Collection<String> databaseIds, ToLongFunction<String> storageBytes) {
        if (spool != null) {
            absorb(draw(databaseIds, storageBytes));
        }
    }

    /** New counts go into the pending report while it was never sent, else into the follow-up; both spooled. */
    private void absorb(Map<String, WorkerHeartbeat.DatabaseUsage> entries) {
        if (entries.isEmpty()) {
            return;
        }
        if (pending == null) {
            pending = new UsageReport(UUID.randomUUID().toString(), sorted(entries));
            pendingSent = false;
            store(pending, false);
        } else if (pendingSent) {
            followUp = followUp == null ? new UsageReport(UUID.randomUUID().toString(), sorted(entries))
                    : merge(followUp, entries);
            store(followUp, true);
        } else {
            pending = merge(pending, entries);
            store(pending, false);
        }
    }

    private void store(UsageReport report, boolean isFollowUp) {
        if (spool != null) {
            spool.store(report, isFollowUp); // durable before it can reach the control plane
        }
    }

    private static List<WorkerHeartbeat.DatabaseUsage> sorted(Map<String, WorkerHeartbeat.DatabaseUsage> entries) {
        List<WorkerHeartbeat.DatabaseUsage> list = new ArrayList<>(entries.values());
        list.sort((a, b) -> a.databaseId().compareTo(b.databaseId()));
        return list;
    }

    /** {@code report} (not sent yet) plus newer counts: counters add up, storage is the newer reading. */
    private static UsageReport merge(UsageReport report, Map<String, WorkerHeartbeat.DatabaseUsage> newer) {
        Map<String, WorkerHeartbeat.DatabaseUsage> out = new HashMap<>();
        for (WorkerHeartbeat.DatabaseUsage e : report.usage()) {
            out.put(e.databaseId(), e);
        }
        newer.forEach((id, n) -> out.merge(id, n, (o, x) -> new WorkerHeartbeat.DatabaseUsage(id,
                o.rowsRead() + x.rowsRead(), o.rowsWritten() + x.rowsWritten(), x.storageBytes(),
                o.bytesSynced() + x.bytesSynced(), mergeQueries(o.queries(), x.queries()))));
        return new UsageReport(report.reportId(), sorted(out));
    }

    private static List<WorkerHeartbeat.QueryUsage> mergeQueries(List<WorkerHeartbeat.QueryUsage> a,
                                                                 List<WorkerHeartbeat.QueryUsage> b) {
        Map<String, WorkerHeartbeat.QueryUsage> byText = new HashMap<>();
        for (List<WorkerHeartbeat.QueryUsage> list : List.of(a == null ? List.<WorkerHeartbeat.QueryUsage>of() : a,
                b == null ? List.<WorkerHeartbeat.QueryUsage>of() : b)) {
            for (WorkerHeartbeat.QueryUsage q : list) {
                byText.merge(q.query(), q, (x, y) -> new WorkerHeartbeat.QueryUsage(x.query(),
                        x.rowsRead() + y.rowsRead(), x.rowsWritten() + y.rowsWritten(), x.count() + y.count()));
            }
        }
        List<WorkerHeartbeat.QueryUsage> all = new ArrayList<>(byText.values());
        all.sort(java.util.Comparator.comparingLong(WorkerHeartbeat.QueryUsage::rowsRead).reversed()
                .thenComparing(java.util.Comparator.comparingLong(WorkerHeartbeat.QueryUsage::count).reversed()));
        return List.copyOf(all.size() > DatabaseUsage.TOP_QUERIES ? all.subList(0, DatabaseUsage.TOP_QUERIES) : all);
    }

    /** Drains every database's counters (and, every 30 s, storage changes of idle ones) into report entries. */
    private Map<String, WorkerHeartbeat.DatabaseUsage> draw(Collection<String> databaseIds,
                                                           ToLongFunction<String> storageBytes) {
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
        for (WorkerHeartbeat.DatabaseUsage e : entries.values()) {
            if (held.contains(e.databaseId())) {
                reportedStorage.put(e.databaseId(), e.storageBytes());
            }
        }
        return entries;
    }

    /** The control plane answered 200 to the heartbeat carrying this report. */
    public synchronized void acknowledge(String reportId) {
        if (pending != null && pending.reportId().equals(reportId)) {
            if (spool != null) {
                spool.removePending();
            }
            pending = null;
            pendingSent = false;
        }
    }

    /** The report waiting for acknowledgement, if any (for tests and diagnostics). */
    public synchronized UsageReport pending() {
        return pending;
    }
}
