package dev.libsqlplatform.controlplane.access;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiException;
import dev.libsqlplatform.controlplane.web.ErrorResponses;
import org.springframework.core.annotation.Order;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reference §2.4: the CLI uses org-less routes when no organization is selected ({@code /v1/databases...},
 * {@code /v1/groups...}, {@code /v1/usage}, {@code /v1/subscription}, {@code /v1/invoices}, {@code /v1/plans} is
 * org-less anyway) and builds {@code /v1/organizations//members} with an empty slug (presented here as {@code /v1/organizations/-/members}
 * by {@link EmptyOrganizationSlug}). Both resolve to the caller's
 * own organization (first owned, else first joined) by forwarding to the org-scoped route, so every rule — roles,
 * audit — is the org-scoped route's. Runs after authentication (order 0 follows Spring Security's filter).
 */
@Component
@Order(0)
class OrgLessRoutes extends OncePerRequestFilter {

    private static final Pattern ORG_LESS = Pattern.compile(
            "^/v1/(databases|groups|usage|subscription|invoices|audit-logs|members|invite)(/.*)?$");
    private static final Pattern EMPTY_SLUG = Pattern.compile("^/(v1|v2)/organizations/-/(.*)$");

    private final OrganizationService organizations;

    OrgLessRoutes(OrganizationService organizations) {
        this.organizations = organizations;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return !(uri.startsWith("/v1/") || uri.startsWith("/v2/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String uri = request.getRequestURI();
        Matcher orgLess = ORG_LESS.matcher(uri);
        Matcher empty = EMPTY_SLUG.matcher(uri);
        boolean isOrgLess = orgLess.matches();
        if (!isOrgLess && !empty.matches()) {
            chain.doFilter(request, response);
            return;
        }
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !(auth.getPrincipal() instanceof Caller caller)) {
            chain.doFilter(request, response);
            return;
        }
        String slug;
        try {
            slug = organizations.ownOrganization(caller).slug();
        } catch (ApiException e) {
            ErrorResponses.write(response, request, e.error(), e.getMessage());
            return;
        }
        String target = isOrgLess ? "/v1/organizations/" + slug + uri.substring("/v1".length())
                : "/" + empty.group(1) + "/organizations/" + slug + "/" + empty.group(2);
        // forward beneath the presentation wrapper of EmptyOrganizationSlug, which would hide the new path
        jakarta.servlet.ServletRequest forwarded = request;
        for (jakarta.servlet.ServletRequest r = request; r instanceof jakarta.servlet.ServletRequestWrapper w; r = w.getRequest()) {
            if (r instanceof EmptyOrganizationSlug.Presented presented) {
                forwarded = presented.getRequest();
                break;
            }
        }
        forwarded.getRequestDispatcher(target).forward(forwarded, response);
    }
}
