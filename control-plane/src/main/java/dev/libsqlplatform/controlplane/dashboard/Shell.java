package dev.libsqlplatform.controlplane.dashboard;

import java.util.List;

import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.Role;
import dev.libsqlplatform.controlplane.security.Caller;

/**
 * What every page around its content needs: who is signed in, the organization the page is about (already authorized
 * for the page's action), the caller's role there (to offer only the actions it may take; the services check again),
 * the caller's other organizations and whether the caller administers the platform (workers page).
 */
record Shell(Caller caller, Organization org, Role role, List<String> organizations, boolean operator) {

    public boolean may(Action action) {
        return role.atLeast(action.minimum());
    }

    /** Action name → whether the caller's role allows it, for the templates (which offer only what is allowed). */
    public java.util.Map<String, Boolean> can() {
        java.util.Map<String, Boolean> out = new java.util.HashMap<>();
        for (Action a : Action.values()) {
            out.put(a.name(), may(a));
        }
        return out;
    }

    public String slug() {
        return org.slug();
    }

    public String username() {
        return caller.username();
    }
}
