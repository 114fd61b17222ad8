package dev.libsqlplatform.controlplane.dbtoken;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.EmptyResponse;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
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

    /** Beyond Turso: the tokens minted for a database or group, by jti. */
    record DatabaseTokensResponse(List<TokenView> tokens) {
    }

    /** The revoked token's jti. */
    record RevokeTokenResponse(String token) {
    }

    private static DatabaseTokenService.MintRequest mint(Caller caller, String expiration, String authorization,
                                                         CreateTokenRequest body) {
        List<String> attach = body != null && body.permissions() != null && body.permissions().readAttach() != null
                ? body.permissions().readAttach().databases() : null;
        return new DatabaseTokenService.MintRequest(expiration, authorization, attach, caller.username());
    }

    @PostMapping(DB + "/tokens")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.DATABASE_NOT_FOUND, ApiError.EXPIRATION_INVALID,
            ApiError.AUTHORIZATION_INVALID, ApiError.BAD_REQUEST})
    TokenResponse create(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                         @RequestParam(required = false, defaultValue = "never") String expiration,
                         @RequestParam(required = false, defaultValue = "full-access") String authorization,
                         @RequestBody(required = false) CreateTokenRequest body) {
        return new TokenResponse(tokens.mint(authorizer.require(caller, org, Action.DATABASE_MINT_TOKEN), db,
                mint(caller, expiration, authorization, body)));
    }

    @PostMapping(DB + "/rotate")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.DATABASE_NOT_FOUND})
    EmptyResponse rotate(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        tokens.rotate(authorizer.require(caller, org, Action.DATABASE_ROTATE), db);
        return EmptyResponse.INSTANCE;
    }

    @GetMapping(DB + "/tokens")
    @ErrorAnswers(ApiError.DATABASE_NOT_FOUND)
    DatabaseTokensResponse list(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                      @PathVariable String db) {
        return new DatabaseTokensResponse(tokens.list(authorizer.require(caller, org, Action.READ), db).stream()
                .map(TokenView::of).toList());
    }

    /** Beyond Turso: revokes one token by its jti; the others keep working. */
    @DeleteMapping(DB + "/tokens/{jti}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.DATABASE_NOT_FOUND, ApiError.TOKEN_NOT_FOUND})
    RevokeTokenResponse revoke(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                               @PathVariable String jti) {
        return new RevokeTokenResponse(tokens.revoke(authorizer.require(caller, org, Action.DATABASE_REVOKE_TOKEN), db, jti));
    }

    @PostMapping(GROUP + "/tokens")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND, ApiError.EXPIRATION_INVALID,
            ApiError.AUTHORIZATION_INVALID, ApiError.BAD_REQUEST})
    TokenResponse createGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group,
                              @RequestParam(required = false, defaultValue = "never") String expiration,
                              @RequestParam(required = false, defaultValue = "full-access") String authorization,
                              @RequestBody(required = false) CreateTokenRequest body) {
        return new TokenResponse(tokens.mintGroup(authorizer.require(caller, org, Action.GROUP_MINT_TOKEN), group,
                mint(caller, expiration, authorization, body)));
    }

    /** Replaces the group's key and the key of every database of the group. */
    @PostMapping(GROUP + "/rotate")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND})
    EmptyResponse rotateGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                    @PathVariable String group) {
        tokens.rotateGroup(authorizer.require(caller, org, Action.GROUP_ROTATE), group);
        return EmptyResponse.INSTANCE;
    }

    @GetMapping(GROUP + "/tokens")
    @ErrorAnswers(ApiError.GROUP_NOT_FOUND)
    DatabaseTokensResponse listGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                           @PathVariable String group) {
        return new DatabaseTokensResponse(tokens.listGroup(authorizer.require(caller, org, Action.READ), group).stream()
                .map(TokenView::of).toList());
    }

    @DeleteMapping(GROUP + "/tokens/{jti}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND, ApiError.TOKEN_NOT_FOUND})
    RevokeTokenResponse revokeGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                    @PathVariable String group, @PathVariable String jti) {
        return new RevokeTokenResponse(tokens.revokeGroup(authorizer.require(caller, org, Action.GROUP_REVOKE_TOKEN), group, jti));
    }
}
