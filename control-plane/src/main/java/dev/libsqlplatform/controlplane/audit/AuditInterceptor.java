package dev.libsqlplatform.controlplane.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.security.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * THE place where the audit log is written: after every successful (200) POST, PUT, PATCH or DELETE of the Platform
 * API, whatever the controller. Author = the caller's username; organization = the one {@link Authorizer} authorized
 * (none for user-level calls such as API tokens); code and message from the route pattern; origin {@code cli} when
 * the User-Agent starts with {@code turso-cli}, else {@code web}; data = the path variables and query parameters
 * (never bodies: they may carry secrets).
 */
@Configuration(proxyBeanMethods = false)
class AuditInterceptor implements HandlerInterceptor, WebMvcConfigurer {

    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);

    /** Route (method + pattern without the organization prefix) → code and message template. */
    private static final Map<String, String[]> CODES = new LinkedHashMap<>();

    static {
        code("POST /databases", "db-create", "created a database");
        code("DELETE /databases/{db}", "db-delete", "deleted database {db}");
        code("PATCH /databases/{db}/configuration", "db-configure", "changed the configuration of database {db}");
        code("POST /databases/{db}/auth/tokens", "db-token-create", "created a token for database {db}");
        code("POST /databases/{db}/auth/rotate", "db-rotate-creds", "rotated the credentials of database {db}");
        code("DELETE /databases/{db}/auth/tokens/{jti}", "db-token-revoke", "revoked token {jti} of database {db}");
        code("POST /databases/{db}/update", "db-update", "updated database {db}");
        code("POST /databases/{db}/wakeup", "db-wakeup", "woke up database {db}");
        code("POST /groups", "group-create", "created a group");
        code("DELETE /groups/{group}", "group-delete", "deleted group {group}");
        code("PATCH /groups/{group}/configuration", "group-configure", "changed the configuration of group {group}");
        code("POST /groups/{group}/locations/{location}", "group-add-location", "added location {location} to group {group}");
        code("DELETE /groups/{group}/locations/{location}", "group-remove-location", "removed location {location} from group {group}");
        code("POST /groups/{group}/unarchive", "group-unarchive", "unarchived group {group}");
        code("POST /groups/{group}/update", "group-update", "updated group {group}");
        code("POST /groups/{group}/rename", "group-rename", "renamed group {group}");
        code("POST /groups/{group}/transfer", "group-transfer", "transferred group {group} to organization {organization}");
        code("DELETE /api-tokens/{tokenId}", "org-api-token-revoke", "revoked API token {tokenId} of the organization");
        code("POST /groups/{group}/auth/tokens", "group-token-create", "created a token for group {group}");
        code("POST /groups/{group}/auth/rotate", "group-rotate-creds", "rotated the credentials of group {group}");
        code("DELETE /groups/{group}/auth/tokens/{jti}", "group-token-revoke", "revoked token {jti} of group {group}");
        code("POST /members", "member-add", "added a member");
        code("POST /members/{username}", "member-add", "added member {username}");
        code("PATCH /members/{username}", "member-role-change", "changed the role of member {username}");
        code("DELETE /members/{username}", "member-remove", "removed member {username}");
        code("POST /invites", "invite-create", "invited a user");
        code("POST /invite", "invite-create", "invited a user");
        code("DELETE /invites/{email}", "invite-delete", "deleted the invite of {email}");
        code("PATCH ", "org-update", "updated the organization");
        code("DELETE ", "org-delete", "deleted the organization");
        code("POST /v1/invites/{id}/accept", "invite-accept", "accepted invite {id}");
        code("POST /v1/auth/api-tokens/{name}", "api-token-create", "created API token {name}");
        code("POST /v2/auth/api-tokens/{name}", "api-token-create", "created API token {name}");
        code("DELETE /v1/auth/api-tokens/{name}", "api-token-revoke", "revoked API token {name}");
        code("POST /v1/users", "user-create", "created a user");
        code("POST /v1/auth/invalidate", "auth-invalidate", "invalidated the other API tokens of the user");
        code("POST /v1/organizations", "org-create", "created an organization");
    }

    private static void code(String route, String code, String message) {
        CODES.put(route, new String[]{code, message});
    }

    private final AuditService audit;

    AuditInterceptor(AuditService audit) {
        this.audit = audit;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/v1/**", "/v2/**");
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        String method = request.getMethod();
        if (ex != null || response.getStatus() != 200
                || !List.of("POST", "PUT", "PATCH", "DELETE").contains(method)) {
            return;
        }
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !(auth.getPrincipal() instanceof Caller caller)) {
            return;
        }
        try {
            String pattern = String.valueOf(request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE));
            @SuppressWarnings("unchecked")
            Map<String, String> variables = (Map<String, String>) request.getAttribute(
                    HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
            Map<String, String> vars = variables == null ? Map.of() : variables;
            String route = pattern.replaceFirst("^/v[12]/organizations/\\{org}", "").replace("{email:.+}", "{email}");
            String[] entry = CODES.get(method + " " + route);
            String code = entry != null ? entry[0] : method.toLowerCase(Locale.ROOT) + route.replaceAll("[/{}]+", "-");
            String message = entry != null ? entry[1] : method + " " + request.getRequestURI();
            Map<String, Object> data = new LinkedHashMap<>();
            for (Map.Entry<String, String> v : vars.entrySet()) {
                if (!v.getKey().equals("org")) {
                    data.put(v.getKey(), v.getValue());
                    message = message.replace("{" + v.getKey() + "}", v.getValue());
                }
            }
            request.getParameterMap().forEach((k, v) -> data.put(k, v.length == 1 ? v[0] : List.of(v)));
            if (request.getAttribute(AuditDetails.DATA) instanceof Map<?, ?> extra) {
                for (Map.Entry<?, ?> e : extra.entrySet()) {
                    data.put(String.valueOf(e.getKey()), e.getValue());
                    message = message.replace("{" + e.getKey() + "}", String.valueOf(e.getValue()));
                }
            }
            data.put("path", request.getRequestURI());
            String ua = request.getHeader("User-Agent");
            String origin = ua != null && ua.toLowerCase(Locale.ROOT).startsWith("turso-cli") ? "cli" : "web";
            Object org = request.getAttribute(Authorizer.ORGANIZATION_ATTRIBUTE);
            audit.record(org == null ? null : org.toString(), caller.username(), code, message, origin, data);
            Object also = request.getAttribute(AuditDetails.ALSO_FOR);
            if (also != null && !also.equals(org)) {
                audit.record(also.toString(), caller.username(), code, message, origin, data);
            }
        } catch (RuntimeException e) {
            log.warn("could not write the audit log entry of {} {}: {}", method, request.getRequestURI(), e.toString());
        }
    }
}
