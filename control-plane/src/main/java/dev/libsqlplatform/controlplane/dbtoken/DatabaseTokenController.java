package dev.libsqlplatform.controlplane.dbtoken;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Database and group tokens (reference §4.5) and single-token revocation (docs/internals.md). */
@RestController
class DatabaseTokenController {

    private static final String DB = "/v1/organizations/{org}/databases/{db}/auth";
    private static final String GROUP = "/v1/organizations/{org}/groups/{group}/auth";

    private final Authorizer authorizer;
    private final DatabaseTokenService tokens;

    DatabaseTokenController(Authorizer authorizer, DatabaseTokenService tokens) {
        this.authorizer = authorizer;
        this.tokens = tokens;
    }

    /**
     * Optional body; npm always sends {@code {"permissions":{"read_attach":{"databases":[]}}}} as text/plain. A
     * non-empty {@code read_attach.databases} mints a {@code p} claim; {@code fine_grained_permissions} is ignored.
     */
    record CreateTokenRequest(Permissions permissions,
                              @JsonProperty("fine_grained_permissions") List<Object> fineGrainedPermissions) {
    }

    record Permissions(@JsonProperty("read_attach") ReadAttach readAttach) {
    }

    record ReadAttach(List<String> databases) {
    }

    record TokenResponse(String jwt) {
    }

    record TokenView(String id, String authorization, @JsonProperty("created_at") Instant createdAt,
                     @JsonProperty("expires_at") @JsonInclude(JsonInclude.Include.ALWAYS) Instant expiresAt,
                     boolean revoked) {
        static TokenView of(DatabaseTokenService.TokenInfo t) {
            return new TokenView(t.id(), t.authorization(), t.createdAt(), t.expiresAt(), t.revoked());
        }
    }

    private static DatabaseTokenService.MintRequest mint(Caller caller, String expiration, String authorization,
                                                         CreateTokenRequest body) {
        List<String> attach = body != null && body.permissions() != null && body.permissions().readAttach() != null
                ? body.permissions().readAttach().databases() : null;
        return new DatabaseTokenService.MintRequest(expiration, authorization, attach, caller.username());
    }

    @PostMapping(DB + "/tokens")
    TokenResponse create(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                         @RequestParam(required = false, defaultValue = "never") String expiration,
                         @RequestParam(required = false, defaultValue = "full-access") String authorization,
                         @RequestBody(required = false) CreateTokenRequest body) {
        return new TokenResponse(tokens.mint(authorizer.require(caller, org, Action.DATABASE_MINT_TOKEN), db,
                mint(caller, expiration, authorization, body)));
    }

    @PostMapping(DB + "/rotate")
    Map<String, Object> rotate(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        tokens.rotate(authorizer.require(caller, org, Action.DATABASE_ROTATE), db);
        return Map.of();
    }

    @GetMapping(DB + "/tokens")
    Map<String, List<TokenView>> list(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                      @PathVariable String db) {
        return Map.of("tokens", tokens.list(authorizer.require(caller, org, Action.READ), db).stream()
                .map(TokenView::of).toList());
    }

    /** Beyond Turso: revokes one token by its jti; the others keep working. */
    @DeleteMapping(DB + "/tokens/{jti}")
    Map<String, String> revoke(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                               @PathVariable String jti) {
        return Map.of("token", tokens.revoke(authorizer.require(caller, org, Action.DATABASE_REVOKE_TOKEN), db, jti));
    }

    @PostMapping(GROUP + "/tokens")
    TokenResponse createGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group,
                              @RequestParam(required = false, defaultValue = "never") String expiration,
                              @RequestParam(required = false, defaultValue = "full-access") String authorization,
                              @RequestBody(required = false) CreateTokenRequest body) {
        return new TokenResponse(tokens.mintGroup(authorizer.require(caller, org, Action.GROUP_MINT_TOKEN), group,
                mint(caller, expiration, authorization, body)));
    }

    /** Replaces the group's key and the key of every database of the group. */
    @PostMapping(GROUP + "/rotate")
    Map<String, Object> rotateGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                    @PathVariable String group) {
        tokens.rotateGroup(authorizer.require(caller, org, Action.GROUP_ROTATE), group);
        return Map.of();
    }

    @GetMapping(GROUP + "/tokens")
    Map<String, List<TokenView>> listGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                           @PathVariable String group) {
        return Map.of("tokens", tokens.listGroup(authorizer.require(caller, org, Action.READ), group).stream()
                .map(TokenView::of).toList());
    }

    @DeleteMapping(GROUP + "/tokens/{jti}")
    Map<String, String> revokeGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                    @PathVariable String group, @PathVariable String jti) {
        return Map.of("token", tokens.revokeGroup(authorizer.require(caller, org, Action.GROUP_REVOKE_TOKEN), group, jti));
    }
}
