package dev.libsqlplatform.controlplane.organization;

import java.util.List;
import java.util.Optional;

import dev.libsqlplatform.controlplane.metadata.Ids;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Who belongs to an organization, with which role. Memberships live here, not with users, because the organization
 * is what they qualify: the {@link Authorizer} decides on them, an organization's delete ends them, and the user
 * module then needs nothing from this one's internals.
 */
@Service
public class Memberships {

    private final MembershipRepository memberships;
    private final JdbcAggregateTemplate aggregates;

    Memberships(MembershipRepository memberships, JdbcAggregateTemplate aggregates) {
        this.memberships = memberships;
        this.aggregates = aggregates;
    }

    public List<Membership> of(String organizationId) {
        return memberships.findByOrganization(organizationId);
    }

    public long owners(String organizationId) {
        return memberships.countOwners(organizationId);
    }

    public Optional<Membership> find(String organizationId, String userId) {
        return memberships.findByOrganizationIdAndUserId(organizationId, userId);
    }

    @Transactional
    public void changeRole(Membership membership, String role) {
        memberships.updateRole(membership.id(), role);
    }

    @Transactional
    public void remove(Membership membership) {
        memberships.deleteById(membership.id());
    }

    @Transactional
    public Membership ensure(String organizationId, String userId, String role) {
        return memberships.findByOrganizationIdAndUserId(organizationId, userId).orElseGet(() ->
                aggregates.insert(new Membership(Ids.newId(), organizationId, userId, role, Ids.now())));
    }

    /** An organization's delete ends every membership in it. */
    @Transactional
    void removeAll(String organizationId) {
        memberships.deleteByOrganization(organizationId);
    }
}
