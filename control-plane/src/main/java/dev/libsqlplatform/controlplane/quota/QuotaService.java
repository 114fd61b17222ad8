package dev.libsqlplatform.controlplane.quota;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Map;

import dev.libsqlplatform.billing.MonthlyWindow;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.usage.UsageService;
import dev.libsqlplatform.quotas.BlockDecision;
import dev.libsqlplatform.quotas.Plan;
import dev.libsqlplatform.quotas.QuotaPolicy;
import dev.libsqlplatform.quotas.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * One organization's quota state, computed from its effective plan (catalog plan + overrides), its usage in the
 * current calendar month (UTC, {@link Clock}) and the latest storage reading of each live database:
 * <ul>
 *   <li>monthly rows read / written (and bytes synced) at or past the quota block reads / writes of every database
 *       of the organization, unless overages are billed (a paid plan with {@code overages: true});</li>
 *   <li>storage is the sum over the organization's databases; each database's {@code maxBytes} is what the others
 *       leave of the plan's storage (rounded down to 1/256 of it, so small changes do not re-push every database),
 *       never less than its own current size and never more than its {@code size_limit}. The worker enforces it with
 *       {@code PRAGMA max_page_count} and answers {@code BLOCKED} naming the quota when a write needs more.</li>
 * </ul>
 */
@Service
public class QuotaService {

    private static final Logger log = LoggerFactory.getLogger(QuotaService.class);
    static final int PAGE_SIZE = 4096;
    static final long STORAGE_GRANULES = 256;

    private final OrganizationService organizations;
    private final DatabaseService databases;
    private final UsageService usage;
    private final Clock clock;

    QuotaService(OrganizationService organizations, DatabaseService databases, UsageService usage, Clock clock) {
        this.organizations = organizations;
        this.databases = databases;
        this.usage = usage;
        this.clock = clock;
    }

    /** The quota state of an organization now, as {@code GET …/quotas} shows it. */
    public record State(Plan plan, boolean overagesBilled, UsageTotals monthToDate, long storageBytes,
                        BlockDecision blocks, YearMonth month) {
    }

    public State state(Organization org) {
        MonthlyWindow month = MonthlyWindow.containing(clock.instant());
        Plan plan = organizations.plan(org);
        boolean billed = organizations.overagesBilled(org);
        UsageTotals rows = usage.totals(org.id(), month);
        // summed in the store: mapping every database row to add them up made each enforcement O(databases) in Java
        long orgStorage = databases.liveStorageBytes(org.id());
        BlockDecision blocks = QuotaPolicy.blocks(plan, new Usage(orgStorage, rows.rowsRead(), rows.rowsWritten(),
                rows.bytesSynced()), billed);
        return new State(plan, billed, new UsageTotals(rows.rowsRead(), rows.rowsWritten(), orgStorage,
                rows.bytesSynced()), orgStorage, blocks, YearMonth.from(month.from().atZone(ZoneOffset.UTC)));
    }

    /**
     * Recomputes the organization's blocks and every database's cap and records what changed; changed databases
     * are pushed by the reconciler. Idempotent: a second run without news changes nothing.
     *
     * @return the number of databases whose push changed
     */
    @Transactional
    public int enforce(String organizationId) {
        return enforce(organizationId, null);
    }

    /**
     * {@link #enforce(String)} for news that concern only databases {@code databaseIds} (created, or their size limit
     * configured): their caps and blocks derive from the organization's state and their own storage alone, and a new
     * or reconfigured database changes no other database's (a new one stores nothing yet; a size limit bounds only its
     * own cap). So only they are written, and creating a database in an organization of tens of thousands costs the
     * same as in an empty one. Should the organization's blocks have changed meanwhile, every database is enforced.
     * {@code databaseIds} null: every database.
     */
    @Transactional
    public int enforce(String organizationId, java.util.Collection<String> databaseIds) {
        Organization org = organizations.byId(organizationId).orElse(null);
        if (org == null || org.deletedAt() != null) {
            return 0;
        }
        State s = state(org);
        Plan plan = s.plan();
        String reason = s.blocks().blocksAnything() ? reason(org, s) : null;
        boolean orgChanged = organizations.recordBlocks(org.id(), s.blocks().blockReads(), s.blocks().blockWrites(),
                reason);
        if (orgChanged) {
            log.info("organization {}: {}", org.slug(), reason == null ? "quota blocks lifted" : reason);
        }
        List<DatabaseService.QuotaRow> rows;
        Map<String, Long> storage;
        if (databaseIds == null || orgChanged) {
            rows = databases.quotaRows(org.id());
            storage = usage.currentStorage(org.id());
        } else {
            rows = new ArrayList<>();
            for (String id : databaseIds) {
                databases.quotaRow(org.id(), id).ifPresent(rows::add);
            }
            storage = usage.storageOf(rows.stream().map(DatabaseService.QuotaRow::id).toList());
        }
        long granule = plan.storageBytes() == Long.MAX_VALUE ? PAGE_SIZE : plan.storageBytes() / STORAGE_GRANULES;
        int changed = 0;
        for (DatabaseService.QuotaRow db : rows) {
            long own = storage.getOrDefault(db.id(), 0L);
            long maxBytes = QuotaPolicy.databaseMaxBytes(plan, s.storageBytes(), own, db.sizeLimit(), s.overagesBilled(),
                    granule, PAGE_SIZE);
            boolean quotaIsTighter = maxBytes < (db.sizeLimit() != null ? db.sizeLimit() : Long.MAX_VALUE);
            String storageReason = quotaIsTighter ? "organization " + org.slug() + " reached its storage quota of "
                    + plan.storageBytes() + " bytes (plan " + org.planId() + "; storage is the sum over its databases): "
                    + "DELETE, DROP and VACUUM still work" : null;
            if (alreadyApplied(db, maxBytes, s.blocks().blockReads(), s.blocks().blockWrites(), reason, storageReason)) {
                // the row just read says so: no statement. An organization with thousands of databases is enforced
                // after each creation, and one conditional UPDATE per database held the metadata store's write lock
                // for the whole loop. The UPDATE below stays conditional for what changed since the read.
                continue;
            }
            if (databases.applyQuota(db.id(), maxBytes, s.blocks().blockReads(), s.blocks().blockWrites(), reason,
                    storageReason)) {
                changed++;
            }
        }
        return changed;
    }

    private static boolean alreadyApplied(DatabaseService.QuotaRow db, long maxBytes, boolean reads, boolean writes, String reason,
                                          String storageReason) {
        return db.maxBytes() == maxBytes && db.quotaBlockReads() == reads && db.quotaBlockWrites() == writes
                && Objects.equals(nullIfEmpty(db.quotaReason()), nullIfEmpty(reason))
                && Objects.equals(nullIfEmpty(db.storageReason()), nullIfEmpty(storageReason));
    }

    /** As the UPDATE compares them: {@code COALESCE(x, '')}. */
    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String reason(Organization org, State s) {
        List<String> parts = new ArrayList<>();
        Plan p = s.plan();
        if (s.blocks().blockReads()) {
            parts.add("monthly rows read quota of " + p.rowsRead() + " reached");
        }
        UsageTotals u = s.monthToDate();
        if (u.rowsWritten() >= p.rowsWritten()) {
            parts.add("monthly rows written quota of " + p.rowsWritten() + " reached");
        }
        if (s.storageBytes() >= p.storageBytes()) {
            parts.add("storage quota of " + p.storageBytes() + " bytes reached");
        }
        return "organization " + org.slug() + ": " + String.join("; ", parts) + " (plan " + org.planId()
                + "; monthly quotas reset on " + s.month().plusMonths(1).atDay(1) + "; upgrade the plan or turn on "
                + "overages to lift it)";
    }
}
