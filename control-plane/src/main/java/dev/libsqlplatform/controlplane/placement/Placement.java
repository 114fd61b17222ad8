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

    /** The load of every placeable (live, not draining) worker. */
    List<Load> loads() {
        List<Worker> candidates = workers.placeable();
        if (candidates.isEmpty()) {
            return List.of();
        }
        Map<String, long[]> placed = new HashMap<>();
        jdbc.sql("SELECT d.worker_id, COUNT(*) AS dbs, COALESCE(SUM(s.storage_bytes), 0) AS bytes FROM databases d "
                        + "LEFT JOIN database_storage s ON s.database_id = d.id WHERE d.worker_id IS NOT NULL "
                        + "GROUP BY d.worker_id")
                .query(rs -> {
                    placed.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                });
        Map<String, Long> rows = new HashMap<>();
        jdbc.sql("SELECT d.worker_id, COALESCE(SUM(u.rows_read + u.rows_written), 0) FROM usage_records u "
                        + "JOIN databases d ON d.id = u.database_id WHERE u.at >= ? AND d.worker_id IS NOT NULL "
                        + "GROUP BY d.worker_id")
                .param(Ids.now() - RECENT.toMillis())
                .query(rs -> {
                    rows.put(rs.getString(1), rs.getLong(2));
                });
        return candidates.stream().map(w -> {
            long[] p = placed.getOrDefault(w.id(), new long[2]);
            return new Load(w, p[0], p[1], rows.getOrDefault(w.id(), 0L));
        }).toList();
    }
}
