package dev.libsqlplatform.controlplane.access;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reference §2.4 quirk: without a selected organization the CLI calls {@code /v1/organizations//members} etc.
 * Spring Security's firewall rejects the double slash, so before it this filter presents such a request as
 * {@code /v1/organizations/-/members} (no organization has the slug {@code -}), which {@link OrgLessRoutes} resolves to the caller's own organization.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class EmptyOrganizationSlug extends OncePerRequestFilter {

    private static final Pattern EMPTY = Pattern.compile("^/(v1|v2)/organizations//+(.*)$");

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().contains("/organizations//");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Matcher m = EMPTY.matcher(request.getRequestURI());
        if (!m.matches()) {
            chain.doFilter(request, response);
            return;
        }
        chain.doFilter(new Presented(request, "/" + m.group(1) + "/organizations/-/" + m.group(2)), response);
    }

    /** The request as presented to the firewall and {@link OrgLessRoutes} (which forwards the original one). */
    static final class Presented extends HttpServletRequestWrapper {
        private final String path;

        Presented(HttpServletRequest request, String path) {
            super(request);
            this.path = path;
        }

        @Override
        public String getRequestURI() {
            return path;
        }

        @Override
        public StringBuffer getRequestURL() {
            return new StringBuffer(path);
        }

        @Override
        public String getServletPath() {
            return path;
        }

        @Override
        public String getPathInfo() {
            return null;
        }
    }
}
