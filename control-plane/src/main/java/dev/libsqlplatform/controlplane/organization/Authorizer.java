package dev.libsqlplatform.controlplane.organization;

import dev.libsqlplatform.controlplane.config.PlatformProperties;

import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ApiException;
import org.springframework.stereotype.Service;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * THE authorization check of every organization-scoped route: controllers call {@link #require} with the
 * {@link Action} they perform and get the organization back. Unknown organization → 404
 * {@code organization not found}; not a member → 403 {@code you are not a member of organization X}; a member
 * whose role is too weak → 403 {@code forbidden} naming the roles that may; an organization-bound API token used
 * for another organization → 403 {@code token_bound_to_organization}. The organization is remembered on
 * the request for the audit log.
 */
@Service
public class Authorizer {

    /** Request attribute: id of the organization the request was authorized against. */
    public static final String ORGANIZATION_ATTRIBUTE = Authorizer.class.getName() + ".organization";

    private final OrganizationService organizations;
    private final Memberships members;
    private final PlatformProperties properties;

    Authorizer(OrganizationService organizations, Memberships members, PlatformProperties properties) {
        this.organizations = organizations;
        this.members = members;
        this.properties = properties;
    }

    /**
     * Organization {@code slug} for an act only the platform administrator (the bootstrap admin user, with a token
     * not bound to an organization) may do, such as changing a plan or quota overrides: organizations do not choose
     * their own limits on a self-hosted platform. Members get 403 {@code forbidden}; anyone else first the usual
     * 404/403 of {@link #require} for reading the organization.
     */
    public Organization requirePlatformAdministrator(Caller caller, String slug, String what) {
        if (!caller.restricted() && properties.adminUsername().equals(caller.username())) {
            Organization org = organizations.bySlug(slug);
            remember(org.id());
            return org;
        }
        require(caller, slug, Action.READ);
        throw ApiError.FORBIDDEN.exception(what + " requires the platform administrator");
    }

    /** Organization {@code slug} (null or blank: the caller's own organization) if the caller may do {@code action}. */
    public Organization require(Caller caller, String slug, Action action) {
        return authorize(caller, slug, action).organization();
    }

    public record Access(Organization organization, Role role) {
    }

    public Access authorize(Caller caller, String slug, Action action) {
        Organization org;
        String memberRole;
        if (slug == null || slug.isBlank()) {
            org = organizations.ownOrganization(caller);
            memberRole = members.find(org.id(), caller.userId()).map(Membership::role).orElse(null);
        } else {
            // the hot path: organization and role in one hand-written statement
            OrganizationReads.WithRole found = organizations.bySlugWithRole(slug, caller.userId());
            org = found.organization();
            memberRole = found.role();
        }
        if (caller.restricted() && !caller.organizationId().equals(org.id())) {
            throw boundElsewhere(caller, "act in organization " + org.slug());
        }
        if (memberRole == null) {
            throw ApiError.NOT_A_MEMBER.exception("you are not a member of organization " + org.slug());
        }
        Role role = Role.parse(memberRole).orElse(Role.VIEWER);
        if (!role.atLeast(action.minimum())) {
            throw ApiError.FORBIDDEN.exception(action.deniedMessage());
        }
        remember(org.id());
        return new Access(org, role);
    }

    /**
     * User-level routes (tokens, invites, users, organizations) that would act outside the bound organization of an
     * organization-bound API token: 403 {@code token_bound_to_organization}, naming what was refused.
     */
    public ApiException boundElsewhere(Caller caller, String what) {
        String bound = organizations.byId(caller.organizationId()).map(Organization::slug).orElse("(deleted)");
        return ApiError.TOKEN_BOUND_TO_ORGANIZATION.exception("this API token is bound to organization " + bound
                + " and cannot " + what);
    }

    /**
     * For platform-wide acts outside every organization (the workers, e.g. draining one): the platform administrator
     * with a token not bound to an organization; 403 {@code token_bound_to_organization} or {@code forbidden} otherwise.
     */
    public void requirePlatformAdministrator(Caller caller, String what) {
        requireUnbound(caller, what);
        if (caller.restricted() || !properties.adminUsername().equals(caller.username())) {
            throw ApiError.FORBIDDEN.exception(what + " requires the platform administrator");
        }
    }

    /** Refuses any organization-bound token: for routes that act outside every organization. */
    public void requireUnbound(Caller caller, String what) {
        if (caller.restricted()) {
            throw boundElsewhere(caller, what);
        }
    }

    /** Names the organization a request acted on, for the audit log (routes outside {@link #require}). */
    public static void remember(String organizationId) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes != null) {
            attributes.setAttribute(ORGANIZATION_ATTRIBUTE, organizationId, RequestAttributes.SCOPE_REQUEST);
        }
    }

    /** Role checks that depend on the target (e.g. demoting an admin needs an owner). */
    public void requireRole(Access access, Action action) {
        if (!access.role().atLeast(action.minimum())) {
            throw ApiError.FORBIDDEN.exception(action.deniedMessage());
        }
    }
}
