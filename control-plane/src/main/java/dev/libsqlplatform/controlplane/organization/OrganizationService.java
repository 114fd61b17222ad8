package dev.libsqlplatform.controlplane.organization;

import java.util.List;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.quotas.Plan;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrganizationService {

    private final OrganizationRepository organizations;
    private final Memberships members;
    private final JdbcAggregateTemplate aggregates;
    private final org.springframework.context.ApplicationEventPublisher events;

    OrganizationService(OrganizationRepository organizations, Memberships members, JdbcAggregateTemplate aggregates,
                        org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.organizations = organizations;
        this.members = members;
        this.aggregates = aggregates;
    }

    /** 404 {@code organization not found} when no live organization has this slug. Membership: see Authorizer. */
    public Organization bySlug(String slug) {
        return organizations.findBySlug(slug).filter(o -> o.deletedAt() == null)
                .orElseThrow(() -> ApiError.ORGANIZATION_NOT_FOUND.exception("organization not found"));
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

    public Plan plan(Organization org) {
        return Plan.byId(org.planId()).orElse(Plan.STARTER);
    }

    /** PATCH: a null value leaves the setting unchanged. */
    @Transactional
    public Organization update(Organization org, Boolean overages, Boolean requireMfa) {
        organizations.updateSettings(org.id(), overages != null ? overages : org.overages(),
                requireMfa != null ? requireMfa : org.requireMfa());
        return organizations.findById(org.id()).orElseThrow();
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
        Organization org = new Organization(Ids.newId(), name, name, "team", Plan.STARTER.id(), 0, Ids.now(),
                false, false, null);
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
                new Organization(Ids.newId(), slug, slug, "team", planId, 0, Ids.now(), false, false, null)));
        if (!org.planId().equals(planId)) {
            organizations.updatePlan(org.id(), planId);
            org = organizations.findById(org.id()).orElseThrow();
        }
        members.ensure(org.id(), ownerUserId, "owner");
        return org;
    }

    /** {@link #ensureOrganization(String, String, String)} on the starter plan. */
    public Organization ensureOrganization(String slug, String ownerUserId) {
        return ensureOrganization(slug, ownerUserId, Plan.STARTER.id());
    }
}
