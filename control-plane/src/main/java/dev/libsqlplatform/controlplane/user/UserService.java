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
    private final JdbcAggregateTemplate aggregates;

    UserService(UserRepository users, JdbcAggregateTemplate aggregates) {
        this.users = users;
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
}
