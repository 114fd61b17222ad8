package dev.libsqlplatform.dataplane.usage;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.dataplane.storage.StatementListener;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Usage counters of ONE database since its last drain into a report. The hot path
 * ({@link #recordStatement}) only adds to {@link LongAdder}s of this database (and the worker-wide
 * Micrometer counters); nothing is locked across databases.
 *
 * <p>Exactness: every increment of the database totals lands in exactly one drain
 * ({@link LongAdder#sumThenReset()} swaps each cell atomically), so totals are neither lost nor
 * counted twice. The per-statement aggregates are best effort: at most {@value #MAX_QUERIES} distinct
 * statements are tracked between two drains (more are only in the totals), SQL texts are cut at
 * {@value #MAX_QUERY_CHARS} characters, and an increment racing with the removal of an entry that was
 * idle for a whole report period may be dropped.
 */
public final class DatabaseUsage implements StatementListener {
    static final int MAX_QUERIES = 128;
    static final int MAX_QUERY_CHARS = 1024;
    static final int TOP_QUERIES = 10;

    private final String databaseId;
    private final LongAdder rowsRead = new LongAdder();
    private final LongAdder rowsWritten = new LongAdder();
    private final LongAdder bytesSynced = new LongAdder();
    private final Map<String, QueryStat> queries = new ConcurrentHashMap<>();
    private final Counter workerRowsRead;
    private final Counter workerRowsWritten;

    DatabaseUsage(String databaseId, Counter workerRowsRead, Counter workerRowsWritten) {
        this.databaseId = databaseId;
        this.workerRowsRead = workerRowsRead;
        this.workerRowsWritten = workerRowsWritten;
    }

    /** A detached counter set (no worker-wide metrics), for code paths without a tracker. */
    public static DatabaseUsage detached(String databaseId) {
        return new DatabaseUsage(databaseId, null, null);
    }

    public String databaseId() {
        return databaseId;
    }

    private static final class QueryStat {
        final LongAdder rowsRead = new LongAdder();
        final LongAdder rowsWritten = new LongAdder();
        final LongAdder count = new LongAdder();
    }

    /** Storage tells every statement of this database here (the database was opened with this listener). */
    @Override
    public void statementRan(String sql, long rowsRead, long rowsWritten) {
        recordStatement(sql, rowsRead, rowsWritten);
    }

    /**
     * One executed statement.
     *
     * @param sql         its SQL text as sent
     * @param rowsRead    rows it scanned; counted as at least 1 (as Turso does)
     * @param rowsWritten rows it inserted, updated or deleted (counted even if its transaction later rolls back)
     */
    public void recordStatement(String sql, long rowsRead, long rowsWritten) {
        long read = Math.max(1, rowsRead);
        long written = Math.max(0, rowsWritten);
        this.rowsRead.add(read);
        if (written > 0) {
            this.rowsWritten.add(written);
        }
        if (workerRowsRead != null) {
            workerRowsRead.increment(read);
            if (written > 0) {
                workerRowsWritten.increment(written);
            }
        }
        if (sql == null) {
            return;
        }
        String key = sql.length() > MAX_QUERY_CHARS ? sql.substring(0, MAX_QUERY_CHARS) : sql;
        QueryStat q = queries.get(key);
        if (q == null) {
            if (queries.size() >= MAX_QUERIES) {
                return;
            }
            q = queries.computeIfAbsent(key, k -> new QueryStat());
        }
        q.rowsRead.add(read);
        if (written > 0) {
            q.rowsWritten.add(written);
        }
        q.count.increment();
    }

    /** Bytes shipped to replicas; stays 0 until replication exists. */
    public void recordBytesSynced(long bytes) {
        bytesSynced.add(bytes);
    }

    /** What one drain took out of the counters. */
    record Drained(long rowsRead, long rowsWritten, long bytesSynced, List<WorkerHeartbeat.QueryUsage> topQueries) {
        boolean isEmpty() {
            return rowsRead == 0 && rowsWritten == 0 && bytesSynced == 0 && topQueries.isEmpty();
        }
    }

    /** Takes the counts since the previous drain and resets them; only the reporting thread calls this. */
    Drained drain() {
        long r = rowsRead.sumThenReset();
        long w = rowsWritten.sumThenReset();
        long b = bytesSynced.sumThenReset();
        List<WorkerHeartbeat.QueryUsage> all = new ArrayList<>();
        for (Map.Entry<String, QueryStat> e : queries.entrySet()) {
            QueryStat q = e.getValue();
            long qr = q.rowsRead.sumThenReset();
            long qw = q.rowsWritten.sumThenReset();
            long qc = q.count.sumThenReset();
            if (qr == 0 && qw == 0 && qc == 0) {
                queries.remove(e.getKey(), q); // idle for a whole report period
            } else {
                all.add(new WorkerHeartbeat.QueryUsage(e.getKey(), qr, qw, qc));
            }
        }
        all.sort(Comparator.comparingLong(WorkerHeartbeat.QueryUsage::rowsRead).reversed()
                .thenComparing(Comparator.comparingLong(WorkerHeartbeat.QueryUsage::count).reversed()));
        List<WorkerHeartbeat.QueryUsage> top = all.size() > TOP_QUERIES ? List.copyOf(all.subList(0, TOP_QUERIES))
                : List.copyOf(all);
        return new Drained(r, w, b, top);
    }
}
