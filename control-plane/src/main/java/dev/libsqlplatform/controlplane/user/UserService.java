package dev.libsqlplatform.controlplane.user;

import java.util.Optional;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class UserService {

    private final UserRepository users;
    private final MembershipRepository memberships;
    private final JdbcAggregateTemplate aggregates;

    UserService(UserRepository users, MembershipRepository memberships, JdbcAggregateTemplate aggregates) {
        this.users = users;
        this.memberships = memberships;
        this.aggregates = aggregates;
    }

    public Optional<User> findByUsername(String username) {
        return users.findByUsername(username);
    }

    public User require(String userId) {
        return users.findById(userId).orElseThrow(() -> ApiError.UNAUTHORIZED.exception("token is invalid or expired"));
    }

    /** Creates the user unless one with that username exists; returns the stored user. */
    @Transactional
    public User ensureUser(String username) {
        return users.findByUsername(username).orElseGet(() ->
                aggregates.insert(new User(Ids.newId(), username, username + "@localhost", username, Ids.now())));
    }

    /** {@code has_pending_invites} of the User object (reference §3.6). */
    /** {@code organizationId}: only invites to that organization count (an organization-bound token); null: all. */
    public boolean hasPendingInvites(User user, String organizationId) {
        return organizationId == null ? users.countPendingInvites(user.email(), user.username()) > 0
                : users.countPendingInvitesTo(user.email(), user.username(), organizationId) > 0;
    }

    public Optional<User> byId(String userId) {
        return users.findById(userId);
    }

    public java.util.List<User> all() {
        return users.findAll();
    }

    /** A new user; 409 when the username is taken. */
    @Transactional
    public User create(String username, String email, String name) {
        if (users.findByUsername(username).isPresent()) {
            throw ApiError.USER_EXISTS.exception("user " + username + " already exists");
        }
        return aggregates.insert(new User(Ids.newId(), username, email, name == null || name.isBlank() ? username : name,
                Ids.now()));
    }

    public java.util.List<Membership> memberships(String organizationId) {
        return memberships.findByOrganization(organizationId);
    }

    public long owners(String organizationId) {
        return memberships.countOwners(organizationId);
    }

    @Transactional
    public void changeRole(Membership membership, String role) {
        memberships.updateRole(membership.id(), role);
    }

    @Transactional
    public void removeMembership(Membership membership) {
        memberships.deleteById(membership.id());
    }

    public Optional<Membership> membership(String organizationId, String userId) {
        return memberships.findByOrganizationIdAndUserId(organizationId, userId);
    }

    @Transactional
    public void removeMemberships(String organizationId) {
        memberships.deleteByOrganization(organizationId);
    }

    @Transactional
    public Membership ensureMembership(String organizationId, String userId, String role) {
        return memberships.findByOrganizationIdAndUserId(organizationId, userId).orElseGet(() ->
                aggregates.insert(new Membership(Ids.newId(), organizationId, userId, role, Ids.now())));
    }
}
