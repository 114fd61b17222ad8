package dev.libsqlplatform.controlplane.usage;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.libsqlplatform.billing.MonthlyWindow;
import dev.libsqlplatform.billing.UsageLedger;
import dev.libsqlplatform.billing.UsageRecord;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseEvents;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.controlplane.worker.UsageReported;
import org.springframework.context.event.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Usage reports from workers (docs/internals.md "Usage reports"): stored once per {@code reportId} as usage records
 * and query statistics; aggregated over windows with billing-usage's {@link UsageLedger}.
 */
@Service
public class UsageService {

    private static final Logger log = LoggerFactory.getLogger(UsageService.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final DatabaseService databases;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    UsageService(NamedParameterJdbcTemplate jdbc, DatabaseService databases, Clock clock,
                 ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.databases = databases;
        this.clock = clock;
        this.events = events;
    }

    /** A top query over a period. */
    public record TopQuery(String query, long rowsRead, long rowsWritten) {
    }

    /** Runs on the heartbeat's thread: an invalid report fails the heartbeat call, as when it was called directly. */
    @EventListener
    @Transactional
    public void onUsageReported(UsageReported report) {
        intake(report.workerId(), report.reportId(), report.usage());
    }

    /**
     * A database marked deleting no longer holds storage: its gauge goes with it, so the table does not keep a row per
     * database ever created (the quota sums only live databases either way). A group's deletion names no database.
     */
    @EventListener
    @Transactional
    public void onDatabaseDeleted(DatabaseEvents.Deleted event) {
        jdbc.update("DELETE FROM database_storage WHERE NOT EXISTS (SELECT 1 FROM databases d "
                + "WHERE d.id = database_storage.database_id AND d.deleted_at IS NULL)", Map.of());
    }

    /**
     * Stores one report; false when {@code reportId} was already stored (a re-sent report is not counted twice).
     * Reports about unknown databases (already removed) are dropped; negative deltas count as zero.
     */
    @Transactional
    public boolean intake(String workerId, String reportId, List<WorkerHeartbeat.DatabaseUsage> usage) {
        if (reportId == null || reportId.isBlank()) {
            if (usage != null && !usage.isEmpty()) {
                throw ApiError.BAD_REQUEST.exception("a heartbeat with usage needs a reportId");
            }
            return false;
        }
        long now = clock.millis();
        // One statement decides who stores the report: a check-then-insert let two control planes (or a re-sent
        // heartbeat racing the original) both pass the check, and the loser failed on the primary key with a 500.
        // Under ON CONFLICT the loser waits for the winner's transaction and inserts nothing.
        int stored = jdbc.update("INSERT INTO usage_reports (id, worker_id, received_at) VALUES (:id, :worker, :now) "
                + "ON CONFLICT (id) DO NOTHING", Map.of("id", reportId, "worker", workerId, "now", now));
        if (stored == 0) {
            log.debug("usage report {} of worker {} already stored: ignored", reportId, workerId);
            return false;
        }
        if (usage == null) {
            return true;
        }
        Set<String> organizationsTouched = new HashSet<>();
        for (WorkerHeartbeat.DatabaseUsage u : usage) {
            if (u == null || u.databaseId() == null) {
                continue;
            }
            Optional<Database> db = databases.byId(u.databaseId());
            if (db.isEmpty()) {
                continue;
            }
            jdbc.update("INSERT INTO usage_records (id, report_id, organization_id, database_id, at, rows_read, "
                    + "rows_written, storage_bytes, bytes_synced) VALUES (:id, :report, :org, :db, :at, :rr, :rw, :sb, :bs)",
                    new MapSqlParameterSource().addValue("id", Ids.newId()).addValue("report", reportId)
                            .addValue("org", db.get().organizationId()).addValue("db", u.databaseId()).addValue("at", now)
                            .addValue("rr", n(u.rowsRead())).addValue("rw", n(u.rowsWritten()))
                            .addValue("sb", n(u.storageBytes())).addValue("bs", n(u.bytesSynced())));
            organizationsTouched.add(db.get().organizationId());
            if (u.storageBytes() != null) {
                // the gauge, one upsert (PostgreSQL and SQLite): two reports about one database (its old and new
                // worker during a move) may be stored at once, and a delete + insert made one of them fail
                jdbc.update("INSERT INTO database_storage (database_id, organization_id, storage_bytes, at) "
                        + "VALUES (:db, :org, :sb, :at) ON CONFLICT (database_id) DO UPDATE SET "
                        + "organization_id = excluded.organization_id, storage_bytes = excluded.storage_bytes, "
                        + "at = excluded.at", Map.of("db", u.databaseId(), "org", db.get().organizationId(),
                                "sb", n(u.storageBytes()), "at", now));
            }
            if (u.queries() != null) {
                for (WorkerHeartbeat.QueryUsage q : u.queries()) {
                    if (q == null || q.query() == null) {
                        continue;
                    }
                    jdbc.update("INSERT INTO query_stats (id, database_id, at, query, rows_read, rows_written, count) "
                            + "VALUES (:id, :db, :at, :q, :rr, :rw, :c)", new MapSqlParameterSource()
                            .addValue("id", Ids.newId()).addValue("db", u.databaseId()).addValue("at", now)
                            .addValue("q", q.query()).addValue("rr", n(q.rowsRead())).addValue("rw", n(q.rowsWritten()))
                            .addValue("c", n(q.count())));
                }
            }
        }
        if (!organizationsTouched.isEmpty()) {
            events.publishEvent(new UsageStored(Set.copyOf(organizationsTouched)));
        }
        return true;
    }

    /** Sum of the counters of the organization's usage records in {@code window} (storage: 0, see currentStorage). */
    public UsageTotals totals(String organizationId, MonthlyWindow window) {
        return jdbc.queryForObject("SELECT COALESCE(SUM(rows_read), 0) AS rr, COALESCE(SUM(rows_written), 0) AS rw, "
                        + "COALESCE(SUM(bytes_synced), 0) AS bs FROM usage_records WHERE organization_id = :org "
                        + "AND at >= :from AND at < :to",
                Map.of("org", organizationId, "from", window.from().toEpochMilli(), "to", window.to().toEpochMilli()),
                (rs, i) -> new UsageTotals(rs.getLong("rr"), rs.getLong("rw"), 0, rs.getLong("bs")));
    }

    /** The latest storage reading of each database of the organization that was ever reported. */
    public Map<String, Long> currentStorage(String organizationId) {
        Map<String, Long> out = new HashMap<>();
        jdbc.query("SELECT database_id, storage_bytes FROM database_storage WHERE organization_id = :org",
                Map.of("org", organizationId), rs -> {
                    out.put(rs.getString("database_id"), rs.getLong("storage_bytes"));
                });
        return out;
    }

    /** The latest storage reading of each of {@code databaseIds} that was ever reported (a few: one query each). */
    public Map<String, Long> storageOf(java.util.Collection<String> databaseIds) {
        Map<String, Long> out = new HashMap<>();
        for (String id : databaseIds) {
            jdbc.query("SELECT storage_bytes FROM database_storage WHERE database_id = :id", Map.of("id", id),
                    rs -> {
                        out.put(id, rs.getLong("storage_bytes"));
                    });
        }
        return out;
    }

    public Instant now() {
        return clock.instant();
    }

    /** The window of {@code ?from=&to=} (default: the current calendar month); 400 with Turso's wording otherwise. */
    public MonthlyWindow window(String from, String to) {
        try {
            return MonthlyWindow.parse(from, to, clock.instant());
        } catch (IllegalArgumentException e) {
            throw ApiError.DATE_INVALID.exception(e.getMessage());
        }
    }

    public UsageTotals database(Database db, MonthlyWindow window) {
        List<UsageRecord> records = load("database_id = :key", db.id(), window.from(), window.to());
        return UsageLedger.perDatabase(records, window).getOrDefault(db.id(), UsageTotals.ZERO);
    }

    /** Per database of the organization (only databases with records in the window). */
    public Map<String, UsageTotals> perDatabase(Organization org, MonthlyWindow window) {
        return UsageLedger.perDatabase(load("organization_id = :key", org.id(), window.from(), window.to()), window);
    }

    public UsageTotals organization(Organization org, MonthlyWindow window) {
        return UsageLedger.perOrganization(load("organization_id = :key", org.id(), window.from(), window.to()), window)
                .getOrDefault(org.id(), UsageTotals.ZERO);
    }

    /** Totals of each calendar month from {@code first} to the current one, oldest first. */
    public List<Map.Entry<YearMonth, UsageTotals>> monthly(Organization org, YearMonth first) {
        YearMonth current = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        MonthlyWindow all = new MonthlyWindow(MonthlyWindow.of(first).from(), MonthlyWindow.of(current).to());
        Collection<UsageRecord> records = load("organization_id = :key", org.id(), all.from(), all.to());
        List<Map.Entry<YearMonth, UsageTotals>> out = new ArrayList<>();
        for (YearMonth m = first; !m.isAfter(current); m = m.plusMonths(1)) {
            out.add(Map.entry(m, UsageLedger.perOrganization(records, MonthlyWindow.of(m))
                    .getOrDefault(org.id(), UsageTotals.ZERO)));
        }
        return out;
    }

    /** The statements with the most rows read since {@code since}, at most 10. */
    public List<TopQuery> topQueries(Database db, Instant since) {
        return jdbc.query("SELECT query, SUM(rows_read) AS rr, SUM(rows_written) AS rw FROM query_stats "
                        + "WHERE database_id = :db AND at >= :since GROUP BY query ORDER BY rr DESC, query LIMIT 10",
                Map.of("db", db.id(), "since", since.toEpochMilli()),
                (rs, i) -> new TopQuery(rs.getString("query"), rs.getLong("rr"), rs.getLong("rw")));
    }

    private List<UsageRecord> load(String where, String key, Instant from, Instant to) {
        return jdbc.query("SELECT organization_id, database_id, at, rows_read, rows_written, storage_bytes, bytes_synced "
                        + "FROM usage_records WHERE " + where + " AND at >= :from AND at < :to",
                Map.of("key", key, "from", from.toEpochMilli(), "to", to.toEpochMilli()),
                (rs, i) -> new UsageRecord(rs.getString("organization_id"), rs.getString("database_id"),
                        Instant.ofEpochMilli(rs.getLong("at")), rs.getLong("rows_read"), rs.getLong("rows_written"),
                        rs.getLong("storage_bytes"), rs.getLong("bytes_synced")));
    }

    private static long n(Long value) {
        return value == null || value < 0 ? 0 : value;
    }
}
