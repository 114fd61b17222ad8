package dev.libsqlplatform.controlplane.dbtoken;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/organizations/{org}/databases/{db}/auth")
class DatabaseTokenController {

    private final OrganizationService organizations;
    private final DatabaseTokenService tokens;

    DatabaseTokenController(OrganizationService organizations, DatabaseTokenService tokens) {
        this.organizations = organizations;
        this.tokens = tokens;
    }

    /** Optional body; npm always sends {@code {"permissions":{"read_attach":{"databases":[]}}}} as text/plain. Ignored. */
    record CreateTokenRequest(Permissions permissions,
                              @JsonProperty("fine_grained_permissions") List<Object> fineGrainedPermissions) {
    }

    record Permissions(@JsonProperty("read_attach") ReadAttach readAttach) {
    }

    record ReadAttach(List<String> databases) {
    }

    record TokenResponse(String jwt) {
    }

    @PostMapping("/tokens")
    TokenResponse create(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                         @RequestParam(required = false, defaultValue = "never") String expiration,
                         @RequestParam(required = false, defaultValue = "full-access") String authorization,
                         @RequestBody(required = false) CreateTokenRequest body) {
        return new TokenResponse(tokens.mint(organizations.requireMember(caller, org), db, expiration, authorization));
    }

    @PostMapping("/rotate")
    Map<String, Object> rotate(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        tokens.rotate(organizations.requireMember(caller, org), db);
        return Map.of();
    }
}
