package dev.libsqlplatform.controlplane.quota;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.libsqlplatform.billing.Meter;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.usage.UsageService;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.plan.CatalogPlan;
import dev.libsqlplatform.controlplane.plan.PlanCatalog;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.quotas.QuotaOverrides;
import org.springframework.stereotype.Service;

/** What the quota routes do: parse the bodies, change plans and overrides, report the quota state. */
@Service
class QuotaApi {

    private static final Set<String> QUOTA_KEYS = Set.of("rowsRead", "rowsWritten", "databases", "locations",
            "storage", "groups", "bytesSynced");

    private final PlanCatalog catalog;
    private final OrganizationService organizations;
    private final QuotaService quotas;
    private final DatabaseService databases;
    private final UsageService usage;

    QuotaApi(PlanCatalog catalog, OrganizationService organizations, QuotaService quotas, DatabaseService databases,
             UsageService usage) {
        this.databases = databases;
        this.usage = usage;
        this.catalog = catalog;
        this.organizations = organizations;
        this.quotas = quotas;
    }

    static String meterKey(Meter m) {
        return switch (m) {
            case ROWS_READ -> "rowsRead";
            case ROWS_WRITTEN -> "rowsWritten";
            case STORAGE -> "storage";
            case BYTES_SYNCED -> "bytesSynced";
        };
    }

    List<CatalogPlan> plans() {
        return catalog.all();
    }

    Organization changePlan(Caller caller, Organization org, QuotaController.SubscriptionRequest body) {
        if (body == null || body.plan() == null || body.plan().isBlank()) {
            throw ApiError.BAD_REQUEST.exception("plan is required, one of: "
                    + String.join(", ", catalog.all().stream().map(CatalogPlan::id).toList()));
        }
        if (body.timeline() != null && !body.timeline().isBlank() && !"monthly".equals(body.timeline())) {
            throw ApiError.BAD_REQUEST.exception("invalid timeline '" + body.timeline() + "': only monthly plans exist");
        }
        Organization changed = organizations.changePlan(caller, org, body.plan().trim(), body.overages());
        quotas.enforce(changed.id()); // caps and blocks now, not one enforcer tick later
        return organizations.byId(changed.id()).orElseThrow();
    }

    QuotaController.QuotaStatus setOverrides(Organization org, Map<String, Object> body) {
        if (body == null) {
            throw ApiError.BAD_REQUEST.exception("expected a JSON object of quota overrides, e.g. {\"storage\": 1000000}");
        }
        QuotaOverrides current = organizations.overrides(org.id());
        Long[] v = {current.rowsRead(), current.rowsWritten(), current.databases(), current.locations(),
                current.storageBytes(), current.groups(), current.bytesSynced()};
        List<String> order = List.of("rowsRead", "rowsWritten", "databases", "locations", "storage", "groups",
                "bytesSynced");
        for (Map.Entry<String, Object> e : body.entrySet()) {
            if (!QUOTA_KEYS.contains(e.getKey())) {
                throw ApiError.BAD_REQUEST.exception("unknown quota '" + e.getKey() + "': use " + String.join(", ", order));
            }
            Object value = e.getValue();
            Long parsed;
            if (value == null) {
                parsed = null;
            } else if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0) {
                parsed = ((Number) value).longValue();
            } else {
                throw ApiError.BAD_REQUEST.exception("quota " + e.getKey() + " must be an integer ≥ 0, or null for the "
                        + "plan's value");
            }
            v[order.indexOf(e.getKey())] = parsed;
        }
        organizations.setOverrides(org, new QuotaOverrides(v[2], v[4], v[0], v[1], v[6], v[5], v[3]));
        quotas.enforce(org.id());
        return status(organizations.byId(org.id()).orElseThrow());
    }

    QuotaController.QuotaStatus status(Organization org) {
        QuotaService.State s = quotas.state(org);
        return new QuotaController.QuotaStatus(org.planId(), org.overages(), s.overagesBilled(),
                QuotaController.Quotas.of(s.plan()), QuotaController.Overrides.of(organizations.overrides(org.id())),
                new QuotaController.MonthUsage(s.monthToDate().rowsRead(), s.monthToDate().rowsWritten(),
                        s.storageBytes(), s.monthToDate().bytesSynced()), org.blockedReads(), org.blockedWrites(),
                org.blockReason() == null ? "" : org.blockReason(), s.month().plusMonths(1).atDay(1).toString(),
                databaseQuotas(org));
    }

    private List<QuotaController.DatabaseQuota> databaseQuotas(Organization org) {
        Map<String, Long> storage = usage.currentStorage(org.id());
        return databases.all(org.id()).stream().map(db -> new QuotaController.DatabaseQuota(db.name(),
                storage.getOrDefault(db.id(), 0L), db.maxBytes(), db.effectiveBlockReads(), db.effectiveBlockWrites(),
                db.pushedVersion() >= db.configVersion())).toList();
    }
}
