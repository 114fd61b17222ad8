package dev.libsqlplatform.controlplane.dashboard;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.organization.Role;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.stereotype.Service;

/** The dashboard's door to the {@link Authorizer}: every page and action opens its shell with the API's action. */
@Service
class Shells {

    private final Authorizer authorizer;
    private final OrganizationService organizations;
    private final PlatformProperties platform;

    Shells(Authorizer authorizer, OrganizationService organizations, PlatformProperties platform) {
        this.authorizer = authorizer;
        this.organizations = organizations;
        this.platform = platform;
    }

    /** 404 / 403 exactly as the Platform API answers them for {@code action} in organization {@code slug}. */
    Shell open(Caller caller, String slug, Action action) {
        boolean operator = operator(caller);
        // authorized last: the Authorizer remembers the organization of the request for the audit log
        Authorizer.Access access = authorizer.authorize(caller, slug, action);
        return new Shell(caller, access.organization(), access.role(),
                organizations.listFor(caller).stream().map(Organization::slug).toList(), operator);
    }

    /** The caller's own organization: where {@code /dashboard} leads. */
    String home(Caller caller) {
        return organizations.ownOrganization(caller).slug();
    }

    /**
     * Platform administrators are the admins and owners of the operator's organization ({@code platform.admin-organization});
     * only they see the workers. 403 for anyone else.
     */
    Shell openOperator(Caller caller) {
        Shell shell = open(caller, platform.adminOrganization(), Action.READ);
        if (!shell.operator()) {
            throw ApiError.FORBIDDEN.exception("the workers page requires role admin or owner of organization "
                    + platform.adminOrganization());
        }
        return shell;
    }

    private boolean operator(Caller caller) {
        try {
            return authorizer.authorize(caller, platform.adminOrganization(), Action.READ).role().atLeast(Role.ADMIN);
        } catch (RuntimeException notAMember) {
            return false;
        }
    }
}
