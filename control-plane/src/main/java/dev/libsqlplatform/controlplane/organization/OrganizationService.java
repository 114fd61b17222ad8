package dev.libsqlplatform.controlplane.organization;

import java.util.List;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.plan.CatalogPlan;
import dev.libsqlplatform.controlplane.plan.PlanCatalog;
import dev.libsqlplatform.quotas.Plan;
import dev.libsqlplatform.quotas.QuotaOverrides;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrganizationService {

    private final OrganizationRepository organizations;
    private final Memberships members;
    private final JdbcAggregateTemplate aggregates;
    private final org.springframework.context.ApplicationEventPublisher events;

    private final PlanCatalog catalog;
    private final NamedParameterJdbcTemplate jdbc;
    private final OrganizationReads reads;

    OrganizationService(OrganizationRepository organizations, Memberships members, JdbcAggregateTemplate aggregates,
                        org.springframework.context.ApplicationEventPublisher events, PlanCatalog catalog,
                        NamedParameterJdbcTemplate jdbc, OrganizationReads reads) {
        this.reads = reads;
        this.catalog = catalog;
        this.jdbc = jdbc;
        this.events = events;
        this.organizations = organizations;
        this.members = members;
        this.aggregates = aggregates;
    }

    /** 404 {@code organization not found} when no live organization has this slug. Membership: see Authorizer. */
    public Organization bySlug(String slug) {
        return reads.bySlug(slug).filter(o -> o.deletedAt() == null).orElseThrow(OrganizationService::notFound);
    }

    /** {@link #bySlug} with {@code userId}'s role there (null: not a member), in one statement. */
    OrganizationReads.WithRole bySlugWithRole(String slug, String userId) {
        return reads.bySlugWithRole(slug, userId).filter(o -> o.organization().deletedAt() == null)
                .orElseThrow(OrganizationService::notFound);
    }

    private static RuntimeException notFound() {
        return ApiError.ORGANIZATION_NOT_FOUND.exception("organization not found");
    }

    /** What org-less routes (reference §2.4) act on: the caller's first owned organization, else its first one. */
    public Organization ownOrganization(Caller caller) {
        return organizations.findOwnFirst(caller.userId()).stream()
                .filter(o -> !caller.restricted() || o.id().equals(caller.organizationId())).findFirst()
                .orElseThrow(() -> ApiError.ORGANIZATION_NOT_FOUND.exception("organization not found"));
    }

    public java.util.Optional<Organization> byId(String id) {
        return organizations.findById(id);
    }

    public List<Organization> listFor(Caller caller) {
        return organizations.findByMember(caller.userId()).stream()
                .filter(o -> !caller.restricted() || o.id().equals(caller.organizationId())).toList();
    }

    /** The organization's effective limits: its catalog plan with the administrator's overrides in place. */
    public Plan plan(Organization org) {
        return catalog.of(org.planId()).limits().with(overrides(org.id()));
    }

    /** The catalog entry of the organization's plan (prices, whether overages are available). */
    public CatalogPlan catalogPlan(Organization org) {
        return catalog.of(org.planId());
    }

    /** Usage past the quotas is billed instead of blocked: {@code overages} on, on a plan that has overage prices. */
    public boolean overagesBilled(Organization org) {
        return org.overages() && catalogPlan(org).overagesAvailable();
    }

    public QuotaOverrides overrides(String organizationId) {
        List<QuotaOverrides> rows = jdbc.query("SELECT * FROM organization_quota_overrides WHERE organization_id = :id",
                Map.of("id", organizationId), (rs, i) -> new QuotaOverrides(get(rs, "databases"),
                        get(rs, "storage_bytes"), get(rs, "rows_read"), get(rs, "rows_written"), get(rs, "bytes_synced"),
                        get(rs, "groups_limit"), get(rs, "locations")));
        return rows.isEmpty() ? QuotaOverrides.NONE : rows.get(0);
    }

    private static Long get(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /**
     * PATCH: a null value leaves the setting unchanged. {@code overages: true} needs a plan with overage prices
     * (402 {@code overages_not_available} on starter: usage past its quotas is blocked, there is nothing to bill).
     */
    @Transactional
    public Organization update(Organization org, Boolean overages, Boolean requireMfa) {
        if (Boolean.TRUE.equals(overages) && !org.overages() && !catalogPlan(org).overagesAvailable()) {
            throw overagesNotAvailable(org.planId());
        }
        organizations.updateSettings(org.id(), overages != null ? overages : org.overages(),
                requireMfa != null ? requireMfa : org.requireMfa());
        if (overages != null && overages != org.overages()) {
            recordPlanChange(org.id(), org.planId(), overages, null);
            events.publishEvent(new OrganizationQuotaChanged(org.id()));
        }
        return organizations.findById(org.id()).orElseThrow();
    }

    private static dev.libsqlplatform.controlplane.web.ApiException overagesNotAvailable(String planId) {
        return ApiError.OVERAGES_NOT_AVAILABLE.exception("overages are not available on the " + planId
                + " plan: usage past its quotas is blocked; change to a paid plan first");
    }

    /**
     * The platform administrator moves the organization to {@code planId} (400 {@code plan_not_found} for an id the
     * catalog does not have); {@code overages} null keeps the setting, as long as the new plan offers overages
     * (else it is switched off). Recorded in the plan history (invoices price each month with the plan in effect at
     * its end); the quota enforcer recomputes every cap and block of the organization at once.
     */
    @Transactional
    public Organization changePlan(Caller caller, Organization org, String planId, Boolean overages) {
        lock(org.id());
        CatalogPlan plan = catalog.require(planId);
        boolean wantOverages = overages != null ? overages : org.overages();
        if (Boolean.TRUE.equals(overages) && !plan.overagesAvailable()) {
            throw overagesNotAvailable(planId);
        }
        wantOverages = wantOverages && plan.overagesAvailable();
        organizations.updateSubscription(org.id(), planId, wantOverages);
        recordPlanChange(org.id(), planId, wantOverages, caller.username());
        events.publishEvent(new OrganizationQuotaChanged(org.id()));
        return organizations.findById(org.id()).orElseThrow();
    }

    /** Replaces the organization's overrides (each null = the plan's limit); the enforcer recomputes at once. */
    @Transactional
    public QuotaOverrides setOverrides(Organization org, QuotaOverrides overrides) {
        lock(org.id());
        jdbc.update("DELETE FROM organization_quota_overrides WHERE organization_id = :id", Map.of("id", org.id()));
        if (!overrides.isEmpty()) {
            jdbc.update("INSERT INTO organization_quota_overrides (organization_id, databases, storage_bytes, rows_read, "
                    + "rows_written, bytes_synced, groups_limit, locations, updated_at) VALUES (:id, :d, :s, :rr, :rw, "
                    + ":bs, :g, :l, :now)", new MapSqlParameterSource().addValue("id", org.id())
                    .addValue("d", overrides.databases(), java.sql.Types.BIGINT)
                    .addValue("s", overrides.storageBytes(), java.sql.Types.BIGINT)
                    .addValue("rr", overrides.rowsRead(), java.sql.Types.BIGINT)
                    .addValue("rw", overrides.rowsWritten(), java.sql.Types.BIGINT)
                    .addValue("bs", overrides.bytesSynced(), java.sql.Types.BIGINT)
                    .addValue("g", overrides.groups(), java.sql.Types.BIGINT)
                    .addValue("l", overrides.locations(), java.sql.Types.BIGINT)
                    .addValue("now", Ids.now()));
        }
        events.publishEvent(new OrganizationQuotaChanged(org.id()));
        return overrides(org.id());
    }

    private void recordPlanChange(String organizationId, String planId, boolean overages, String by) {
        jdbc.update("INSERT INTO plan_changes (id, organization_id, plan_id, overages, at, changed_by) "
                + "VALUES (:id, :org, :plan, :overages, :at, :by)", new MapSqlParameterSource()
                .addValue("id", Ids.newId()).addValue("org", organizationId).addValue("plan", planId)
                .addValue("overages", overages).addValue("at", Ids.now()).addValue("by", by, java.sql.Types.VARCHAR));
    }

    /** The plan and overages setting in effect at {@code atMillis}, from the plan history (else the current ones). */
    public Subscription subscriptionAt(Organization org, long atMillis) {
        List<Subscription> rows = jdbc.query("SELECT plan_id, overages FROM plan_changes WHERE organization_id = :org "
                        + "AND at < :at ORDER BY at DESC LIMIT 1", Map.of("org", org.id(), "at", atMillis),
                (rs, i) -> new Subscription(rs.getString("plan_id"), rs.getBoolean("overages")));
        // organizations created before the plan history existed (V30) have no row: their current plan
        return rows.isEmpty() ? new Subscription(org.planId(), org.overages()) : rows.get(0);
    }

    /** A plan id and whether its overages were on. */
    public record Subscription(String planId, boolean overages) {
    }

    /** The quota enforcer's decision; true when it changed (the databases must be re-pushed). */
    @Transactional
    public boolean recordBlocks(String organizationId, boolean reads, boolean writes, String reason) {
        return organizations.updateBlocks(organizationId, reads, writes, reason) == 1;
    }

    /** Live organizations currently blocking something (the enforcer re-checks them when a month starts). */
    public List<String> blockedIds() {
        return organizations.findBlockedIds();
    }

    /**
     * Deletes the organization: the row stays (its databases reference it until the reconciler removed them from
     * their workers) but its slug is freed, memberships end, and listeners delete its groups and databases in this
     * transaction.
     */
    @Transactional
    public void delete(Organization org) {
        organizations.lock(org.id());
        long now = Ids.now();
        organizations.markDeleted(org.id(), "deleted-" + org.id(), now);
        members.removeAll(org.id());
        events.publishEvent(new OrganizationDeleted(org.id(), org.slug()));
    }

    /** Takes the organization's quota lock; call first in the transaction (see {@link OrganizationRepository#lock}). */
    public void lock(String organizationId) {
        if (organizations.lock(organizationId) != 1) {
            throw ApiError.ORGANIZATION_NOT_FOUND.exception("organization not found");
        }
    }

    /** Longest organization slug: leaves room for a database name in the {@code <db>-<org>} DNS label. */
    static final int MAX_SLUG = 40;

    /**
     * {@code POST /v1/organizations}: a team organization on the starter plan owned by the caller, with its
     * {@code default} group (created by the {@link OrganizationCreated} listener in the same transaction, so an
     * organization never exists without it). {@code dryRun} validates and answers without creating.
     */
    @Transactional
    public Organization create(Caller caller, String name, boolean dryRun) {
        if (caller.restricted()) {
            throw ApiError.TOKEN_BOUND_TO_ORGANIZATION.exception("this API token is bound to organization "
                    + byId(caller.organizationId()).map(Organization::slug).orElse("(deleted)")
                    + " and cannot create organizations");
        }
        Names.requireValid("organization", name);
        if (name.length() > MAX_SLUG) {
            throw ApiError.NAME_INVALID.exception("organization name must contain between 1 and " + MAX_SLUG
                    + " characters, to leave room for database names in '<database>-<organization>' hostnames");
        }
        if (organizations.findBySlug(name).isPresent()) {
            throw ApiError.ORGANIZATION_EXISTS.exception("organization " + name + " already exists");
        }
        Organization org = new Organization(Ids.newId(), name, name, "team", PlanCatalog.STARTER, 0, Ids.now(),
                false, false, null, false, false, null);
        if (dryRun) {
            return org;
        }
        try {
            org = aggregates.insert(org);
        } catch (org.springframework.dao.DataIntegrityViolationException e) {
            // the unique slug index caught a concurrent create of the same name
            throw ApiError.ORGANIZATION_EXISTS.exception("organization " + name + " already exists");
        }
        members.ensure(org.id(), caller.userId(), "owner");
        recordPlanChange(org.id(), org.planId(), false, caller.username());
        events.publishEvent(new OrganizationCreated(org.id(), org.slug()));
        return org;
    }

    /**
     * Creates a team organization on {@code planId} owned by {@code ownerUserId}, unless the slug exists; an
     * existing one is moved to {@code planId} (the operator's configuration wins on every start).
     */
    @Transactional
    public Organization ensureOrganization(String slug, String ownerUserId, String planId) {
        Organization org = organizations.findBySlug(slug).orElseGet(() -> aggregates.insert(
                new Organization(Ids.newId(), slug, slug, "team", planId, 0, Ids.now(), false, false, null,
                        false, false, null)));
        if (jdbc.queryForObject("SELECT COUNT(*) FROM plan_changes WHERE organization_id = :id", Map.of("id", org.id()),
                Long.class) == 0) {
            recordPlanChange(org.id(), org.planId(), org.overages(), null);
        }
        if (!org.planId().equals(planId)) {
            organizations.updatePlan(org.id(), planId);
            recordPlanChange(org.id(), planId, org.overages(), null);
            events.publishEvent(new OrganizationQuotaChanged(org.id()));
            org = organizations.findById(org.id()).orElseThrow();
        }
        members.ensure(org.id(), ownerUserId, "owner");
        return org;
    }

    /** {@link #ensureOrganization(String, String, String)} on the starter plan. */
    public Organization ensureOrganization(String slug, String ownerUserId) {
        return ensureOrganization(slug, ownerUserId, PlanCatalog.STARTER);
    }
}
