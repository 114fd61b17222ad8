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

    OrganizationService(OrganizationRepository organizations, UserService users, JdbcAggregateTemplate aggregates) {
        this.organizations = organizations;
        this.users = users;
        this.aggregates = aggregates;
    }

    /**
     * The organization named by {@code slug} when the caller is a member: 404 {@code organization not found}
     * when it does not exist, 403 only for "not a member" (the CLI forgets its org on any 403).
     */
    public Organization requireMember(Caller caller, String slug) {
        Organization org = organizations.findBySlug(slug)
                .orElseThrow(() -> ApiError.ORGANIZATION_NOT_FOUND.exception("organization not found"));
        if (users.membership(org.id(), caller.userId()).isEmpty()) {
            throw ApiError.NOT_A_MEMBER.exception("you are not a member of organization " + slug);
        }
        return org;
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
                new Organization(Ids.newId(), slug, slug, "team", Plan.STARTER.id(), 0, Ids.now())));
        users.ensureMembership(org.id(), ownerUserId, "owner");
        return org;
    }
}
