package dev.libsqlplatform.controlplane.member;

import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;

import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.organization.Role;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.organization.Membership;
import dev.libsqlplatform.controlplane.organization.Memberships;
import dev.libsqlplatform.controlplane.user.User;
import dev.libsqlplatform.controlplane.user.UserService;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Members and invites (reference §4.2). Admins manage members and invites; only owners grant the owner role or
 * change/remove an admin or owner; an organization always keeps at least one owner. An invite names an email or
 * an existing username and becomes a membership when that user accepts it ({@code POST /v1/invites/{id}/accept}).
 */
@Service
public class MemberService {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final UserService users;
    private final Memberships members;
    private final OrganizationService organizations;
    private final Authorizer authorizer;
    private final InviteRepository invites;
    private final JdbcAggregateTemplate aggregates;

    MemberService(UserService users, Memberships members, OrganizationService organizations, Authorizer authorizer, InviteRepository invites,
                  JdbcAggregateTemplate aggregates) {
        this.users = users;
        this.members = members;
        this.organizations = organizations;
        this.authorizer = authorizer;
        this.invites = invites;
        this.aggregates = aggregates;
    }

    public record Member(String username, String role, String email) {
    }

    public List<Member> list(Organization org) {
        return members.of(org.id()).stream().map(m -> {
            User u = users.byId(m.userId()).orElseThrow();
            return new Member(u.username(), m.role(), u.email());
        }).toList();
    }

    public Member get(Organization org, String username) {
        User u = users.findByUsername(username).orElseThrow(() -> notMember(username, org));
        Membership m = members.find(org.id(), u.id()).orElseThrow(() -> notMember(username, org));
        return new Member(u.username(), m.role(), u.email());
    }

    static Role role(String value, Role fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return Role.parse(value).orElseThrow(() -> ApiError.ROLE_INVALID.exception(
                "invalid role: " + value + " (expected owner, admin, member or viewer)"));
    }

    @Transactional
    public Member add(Authorizer.Access access, String username, String roleName) {
        Organization org = access.organization();
        Role role = role(roleName, Role.MEMBER);
        if (role == Role.OWNER) {
            authorizer.requireRole(access, Action.OWNER_ROLES);
        }
        if (username == null || username.isBlank()) {
            throw ApiError.BAD_REQUEST.exception("username is required");
        }
        User u = users.findByUsername(username.trim())
                .orElseThrow(() -> ApiError.USER_NOT_FOUND.exception("could not find user " + username));
        if (members.find(org.id(), u.id()).isPresent()) {
            throw ApiError.MEMBER_EXISTS.exception("user " + u.username() + " is already a member of organization "
                    + org.slug());
        }
        members.ensure(org.id(), u.id(), role.id());
        return new Member(u.username(), role.id(), u.email());
    }

    @Transactional
    public Member changeRole(Authorizer.Access access, String username, String roleName) {
        Organization org = access.organization();
        organizations.lock(org.id());
        if (roleName == null || roleName.isBlank()) {
            throw ApiError.ROLE_INVALID.exception("invalid role: role is required");
        }
        Role role = role(roleName, Role.MEMBER);
        User u = users.findByUsername(username).orElseThrow(() -> notMember(username, org));
        Membership m = members.find(org.id(), u.id()).orElseThrow(() -> notMember(username, org));
        Role current = Role.parse(m.role()).orElse(Role.VIEWER);
        if (role == Role.OWNER || current.atLeast(Role.ADMIN)) {
            authorizer.requireRole(access, Action.OWNER_ROLES);
        }
        if (current == Role.OWNER && role != Role.OWNER && members.owners(org.id()) <= 1) {
            throw lastOwner(org);
        }
        members.changeRole(m, role.id());
        return new Member(u.username(), role.id(), u.email());
    }

    @Transactional
    public String remove(Authorizer.Access access, String username) {
        Organization org = access.organization();
        organizations.lock(org.id());
        User u = users.findByUsername(username).orElseThrow(() -> notMember(username, org));
        Membership m = members.find(org.id(), u.id()).orElseThrow(() -> notMember(username, org));
        Role current = Role.parse(m.role()).orElse(Role.VIEWER);
        if (current.atLeast(Role.ADMIN)) {
            authorizer.requireRole(access, Action.OWNER_ROLES);
        }
        if (current == Role.OWNER && members.owners(org.id()) <= 1) {
            throw lastOwner(org);
        }
        members.remove(m);
        return u.username();
    }

    // ---- invites

    public List<Invite> invites(Organization org) {
        return invites.findByOrganization(org.id());
    }

    /** Exactly one of {@code email}, {@code username}; role admin, member (default) or viewer. */
    @Transactional
    public Invite invite(Authorizer.Access access, String email, String username, String roleName, Caller caller) {
        Organization org = access.organization();
        boolean hasEmail = email != null && !email.isBlank();
        boolean hasUsername = username != null && !username.isBlank();
        if (hasEmail == hasUsername) {
            throw ApiError.BAD_REQUEST.exception("give exactly one of email or username");
        }
        Role role = role(roleName, Role.MEMBER);
        if (role == Role.OWNER) {
            throw ApiError.ROLE_INVALID.exception("invalid role: owner (an invite grants admin, member or viewer)");
        }
        User invited = null;
        String address;
        if (hasUsername) {
            invited = users.findByUsername(username.trim())
                    .orElseThrow(() -> ApiError.USER_NOT_FOUND.exception("could not find user " + username));
            address = invited.email();
        } else {
            address = email.trim();
            if (!address.matches("^[^@\\s]+@[^@\\s]+$")) {
                throw ApiError.BAD_REQUEST.exception("invalid email: " + email);
            }
            invited = users.all().stream().filter(u -> u.email().equalsIgnoreCase(address)).findFirst().orElse(null);
        }
        if (invited != null && members.find(org.id(), invited.id()).isPresent()) {
            throw ApiError.MEMBER_EXISTS.exception("user " + invited.username() + " is already a member of organization "
                    + org.slug());
        }
        if (invites.findPending(org.id(), address).isPresent()) {
            throw ApiError.INVITE_EXISTS.exception("invite for " + address + " already exists");
        }
        long id = RANDOM.nextLong(1, 1L << 53);
        return aggregates.insert(new Invite(id, org.id(), address.toLowerCase(Locale.ROOT),
                hasUsername ? invited.username() : null, role.id(), caller.username(), Ids.now(), null));
    }

    @Transactional
    public void deleteInvite(Organization org, String email) {
        Invite invite = invites.findPending(org.id(), email == null ? "" : email.trim())
                .orElseThrow(() -> ApiError.INVITE_NOT_FOUND.exception("invite not found"));
        invites.remove(invite.id());
    }

    /** The caller's pending invites (by email or username); an organization-bound caller sees its organization's only. */
    public List<Invite> pendingFor(Caller caller) {
        User me = users.require(caller.userId());
        return invites.findPendingFor(me.email(), me.username()).stream()
                .filter(i -> !caller.restricted() || caller.organizationId().equals(i.organizationId())).toList();
    }

    /** The invited user accepts: membership with the invite's role. Another user's invite is "not found". */
    @Transactional
    public Invite accept(Caller caller, long id) {
        User me = users.require(caller.userId());
        Invite invite = invites.findById(id).filter(i -> i.acceptedAt() == null)
                .filter(i -> i.username() != null ? i.username().equals(me.username()) : i.email().equalsIgnoreCase(me.email()))
                .orElseThrow(() -> ApiError.INVITE_NOT_FOUND.exception("invite not found"));
        if (caller.restricted() && !caller.organizationId().equals(invite.organizationId())) {
            throw authorizer.boundElsewhere(caller, "accept an invite to organization " + organizationOf(invite).slug());
        }
        if (invites.accept(invite.id(), Ids.now()) != 1) {
            throw ApiError.INVITE_NOT_FOUND.exception("invite not found");
        }
        if (members.find(invite.organizationId(), me.id()).isEmpty()) {
            members.ensure(invite.organizationId(), me.id(), invite.role());
        }
        return invite;
    }

    public Organization organizationOf(Invite invite) {
        return organizations.byId(invite.organizationId()).orElseThrow();
    }

    private static RuntimeException notMember(String username, Organization org) {
        return ApiError.MEMBER_NOT_FOUND.exception("user " + username + " is not a member of org " + org.slug());
    }

    private static RuntimeException lastOwner(Organization org) {
        return ApiError.LAST_OWNER.exception("organization " + org.slug() + " must keep at least one owner");
    }
}
