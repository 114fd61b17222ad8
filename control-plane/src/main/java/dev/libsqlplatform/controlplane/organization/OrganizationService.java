package dev.libsqlplatform.controlplane.organization;

import java.util.List;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.user.UserService;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.quotas.Plan;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrganizationService {

    private final OrganizationRepository organizations;
    private final UserService users;
    private final JdbcAggregateTemplate aggregates;
    private final org.springframework.context.ApplicationEventPublisher events;

    OrganizationService(OrganizationRepository organizations, UserService users, JdbcAggregateTemplate aggregates,
                        org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.organizations = organizations;
        this.users = users;
        this.aggregates = aggregates;
    }

    /** 404 {@code organization not found} when no live organization has this slug. Membership: see Authorizer. */
    public Organization bySlug(String slug) {
        return organizations.findBySlug(slug).filter(o -> o.deletedAt() == null)
                .orElseThrow(() -> ApiError.ORGANIZATION_NOT_FOUND.exception("organization not found"));
    }

    /** What org-less routes (reference §2.4) act on: the caller's first owned organization, else its first one. */
    public Organization ownOrganization(Caller caller) {
        return organizations.findOwnFirst(caller.userId()).stream().findFirst()
                .orElseThrow(() -> ApiError.ORGANIZATION_NOT_FOUND.exception("organization not found"));
    }

    public java.util.Optional<Organization> byId(String id) {
        return organizations.findById(id);
    }

    public List<Organization> listFor(Caller caller) {
        return organizations.findByMember(caller.userId());
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
        users.removeMemberships(org.id());
        events.publishEvent(new OrganizationDeleted(org.id(), org.slug()));
    }

    /** Takes the organization's quota lock; call first in the transaction (see {@link OrganizationRepository#lock}). */
    public void lock(String organizationId) {
        if (organizations.lock(organizationId) != 1) {
            throw ApiError.ORGANIZATION_NOT_FOUND.exception("organization not found");
        }
    }

    /** Creates a team organization on the starter plan owned by {@code ownerUserId}, unless the slug exists. */
    @Transactional
    public Organization ensureOrganization(String slug, String ownerUserId) {
        Organization org = organizations.findBySlug(slug).orElseGet(() -> aggregates.insert(
                new Organization(Ids.newId(), slug, slug, "team", Plan.STARTER.id(), 0, Ids.now(), false, false, null)));
        users.ensureMembership(org.id(), ownerUserId, "owner");
        return org;
    }
}
