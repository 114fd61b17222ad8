package dev.libsqlplatform.controlplane.placement;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Where a new (or moving) database goes: the live, non-draining worker with free capacity and the least load. Load is
 * one score in "databases' worth": the databases placed on it, plus its stored bytes (the latest storage reading of
 * each of its databases, from the heartbeats' usage reports) in units of {@link #BYTES_PER_UNIT}, plus the rows its
 * databases read and wrote in the last {@link #RECENT} (same reports) in units of {@link #ROWS_PER_UNIT}. So an empty
 * worker beside a full one, or a quiet one beside one serving heavy traffic, gets the next database even when both
 * have room for thousands more, which free capacity alone would not say. Ties: more free capacity, then id.
 */
@Component
class Placement {

    /** 64 MiB stored weigh as much as one database. */
    static final long BYTES_PER_UNIT = 64L << 20;
    /** 100,000 rows read or written recently weigh as much as one database. */
    static final long ROWS_PER_UNIT = 100_000;
    static final Duration RECENT = Duration.ofMinutes(10);

    private final WorkerService workers;
    private final JdbcClient jdbc;

    Placement(WorkerService workers, JdbcClient jdbc) {
        this.workers = workers;
        this.jdbc = jdbc;
    }

    /** One worker's load as placement weighs it. */
    record Load(Worker worker, long databases, long storageBytes, long recentRows) {
        double score() {
            return databases + (double) storageBytes / BYTES_PER_UNIT + (double) recentRows / ROWS_PER_UNIT;
        }

        long free() {
            return worker.capacity() - databases;
        }
    }

    /** The least loaded placeable worker other than {@code excludeWorkerId} (null: none excluded) with free capacity. */
    Optional<Worker> choose(String excludeWorkerId) {
        return loads().stream()
                .filter(l -> !l.worker().id().equals(excludeWorkerId) && l.free() > 0)
                .min(Comparator.comparingDouble(Load::score)
                        .thenComparing(Comparator.comparingLong(Load::free).reversed())
                        .thenComparing(l -> l.worker().id()))
                .map(Load::worker);
    }

    /**
     * How old the stored-bytes and recent-rows figures may be when a placement reads them (and, on this control plane,
     * never older than the last usage report it stored). Both come from the workers' periodic usage reports, so they
     * are seconds old anyway; summing them over every placed database on each placement made a create cost
     * O(databases) (7 ms of SQLite at 5,000, linear beyond). The database counts, which the capacity check needs
     * exactly, are read per candidate worker through the {@code databases_worker} index on every placement.
     */
    static final Duration SNAPSHOT_MAX_AGE = Duration.ofSeconds(5);

    /** Stored bytes and recent rows per worker id, as summed at {@code readAt} ({@link System#nanoTime}). */
    private record Snapshot(Map<String, Long> bytes, Map<String, Long> rows, long readAt, long generation) {
    }

    private volatile Snapshot snapshot;
    /** Bumped by each usage report stored here: a sum begun before it is not kept. */
    private final java.util.concurrent.atomic.AtomicLong usageGeneration = new java.util.concurrent.atomic.AtomicLong();

    /** Usage stored on this control plane: the next placement sums again (the report may change who is least loaded). */
    @org.springframework.transaction.event.TransactionalEventListener(fallbackExecution = true)
    void onUsageStored(dev.libsqlplatform.controlplane.usage.UsageStored event) {
        usageGeneration.incrementAndGet();
    }

    /** The load of every placeable (live, not draining) worker. */
    List<Load> loads() {
        List<Worker> candidates = workers.placeable();
        if (candidates.isEmpty()) {
            return List.of();
        }
        Snapshot usage = usage();
        return candidates.stream().map(w -> {
            long placed = jdbc.sql("SELECT COUNT(*) FROM databases WHERE worker_id = ?").param(w.id())
                    .query(Long.class).single();
            return new Load(w, placed, usage.bytes().getOrDefault(w.id(), 0L), usage.rows().getOrDefault(w.id(), 0L));
        }).toList();
    }

    private Snapshot usage() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        long generation = usageGeneration.get();
        if (s != null && s.generation() == generation && now - s.readAt() < SNAPSHOT_MAX_AGE.toNanos()) {
            return s;
        }
        Map<String, Long> bytes = new HashMap<>();
        jdbc.sql("SELECT d.worker_id, COALESCE(SUM(s.storage_bytes), 0) FROM databases d "
                        + "JOIN database_storage s ON s.database_id = d.id WHERE d.worker_id IS NOT NULL "
                        + "GROUP BY d.worker_id")
                .query(rs -> {
                    bytes.put(rs.getString(1), rs.getLong(2));
                });
        Map<String, Long> rows = new HashMap<>();
        jdbc.sql("SELECT d.worker_id, COALESCE(SUM(u.rows_read + u.rows_written), 0) FROM usage_records u "
                        + "JOIN databases d ON d.id = u.database_id WHERE u.at >= ? AND d.worker_id IS NOT NULL "
                        + "GROUP BY d.worker_id")
                .param(Ids.now() - RECENT.toMillis())
                .query(rs -> {
                    rows.put(rs.getString(1), rs.getLong(2));
                });
        Snapshot fresh = new Snapshot(bytes, rows, now, generation);
        snapshot = fresh;
        return fresh;
    }
}
