package dev.libsqlplatform.controlplane.apitoken;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Platform API token routes (reference §4.6). */
@RestController
class AuthController {

    static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final ApiTokenService tokens;
    private final Authorizer authorizer;

    AuthController(ApiTokenService tokens, Authorizer authorizer) {
        this.tokens = tokens;
        this.authorizer = authorizer;
    }

    record Validation(long exp) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TokenInfo(String id, String name, String organization, String created_at) {
    }

    record CreatedV1(String name, String id, String token) {
    }

    record CreatedV2Token(String name, String id, String value) {
    }

    /**
     * Optional create body: {@code organization} binds the token to that organization (the caller must be a
     * member). Group-bound tokens and scopes other than {@code full-access} are not supported here: 400 rather
     * than a token with more rights than asked for. Not {@code CreateTokenRequest}: the OpenAPI document names
     * schemas by simple class name, and dbtoken's request of that name would take this one's place.
     */
    record CreateApiTokenRequest(String organization, String group, List<String> scopes) {
    }

    record Invalidated(@JsonProperty("validFrom") long validFrom) {
    }

    record ApiTokensResponse(List<TokenInfo> tokens) {
    }

    /** {@code POST /v2/auth/api-tokens/{name}}: the new token, its value shown once. */
    record CreateApiTokenResponse(CreatedV2Token token) {
    }

    /** The revoked token's name (user routes) or id (organization routes). */
    record RevokeApiTokenResponse(String token) {
    }

    /** {@code {"exp": -1}} for tokens without expiry, else unix seconds. */
    @GetMapping({"/v1/auth/validate", "/v1/auth/api-tokens/validate"})
    Validation validate(@AuthenticationPrincipal Caller caller) {
        return new Validation(caller.expiresAtMillis() == null ? -1 : caller.expiresAtMillis() / 1000);
    }

    @GetMapping("/v1/auth/api-tokens")
    ApiTokensResponse list(@AuthenticationPrincipal Caller caller) {
        return new ApiTokensResponse(tokens.listWithOrganizations(caller).stream()
                .map(t -> new TokenInfo(t.token().id(), t.token().name(), t.organization(),
                        DAY.format(Instant.ofEpochMilli(t.token().createdAt())))).toList());
    }

    @PostMapping("/v1/auth/api-tokens/{name}")
    @ErrorAnswers({ApiError.BAD_REQUEST, ApiError.NAME_INVALID, ApiError.NOT_A_MEMBER,
            ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.ORGANIZATION_NOT_FOUND, ApiError.API_TOKEN_EXISTS})
    CreatedV1 createV1(@AuthenticationPrincipal Caller caller, @PathVariable String name,
                       @RequestBody(required = false) CreateApiTokenRequest body) {
        ApiTokenService.IssuedToken issued = tokens.issue(caller.userId(), name, boundOrganization(caller, body));
        return new CreatedV1(issued.token().name(), issued.token().id(), issued.value());
    }

    @PostMapping("/v2/auth/api-tokens/{name}")
    @ErrorAnswers({ApiError.BAD_REQUEST, ApiError.NAME_INVALID, ApiError.NOT_A_MEMBER,
            ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.ORGANIZATION_NOT_FOUND, ApiError.API_TOKEN_EXISTS})
    CreateApiTokenResponse createV2(@AuthenticationPrincipal Caller caller, @PathVariable String name,
                                         @RequestBody(required = false) CreateApiTokenRequest body) {
        ApiTokenService.IssuedToken issued = tokens.issue(caller.userId(), name, boundOrganization(caller, body));
        return new CreateApiTokenResponse(new CreatedV2Token(issued.token().name(), issued.token().id(), issued.value()));
    }

    /**
     * The organization id a new token is bound to: the body's {@code organization} (membership checked by the
     * Authorizer: 404 unknown, 403 not a member), else none — except that a token minted with an
     * organization-bound token is bound to the same organization (it may not mint a wider one).
     */
    private String boundOrganization(Caller caller, CreateApiTokenRequest body) {
        if (body != null && body.group() != null && !body.group().isBlank()) {
            throw ApiError.BAD_REQUEST.exception("group-scoped API tokens are not supported: bind the token to an "
                    + "organization with {\"organization\": \"<slug>\"}");
        }
        if (body != null && body.scopes() != null && !body.scopes().isEmpty()
                && !body.scopes().equals(List.of("full-access"))) {
            throw ApiError.BAD_REQUEST.exception("API token scopes are not supported: omit scopes or use [\"full-access\"]");
        }
        if (body == null || body.organization() == null || body.organization().isBlank()) {
            return caller.organizationId();
        }
        return authorizer.require(caller, body.organization().trim(), Action.READ).id();
    }

    @DeleteMapping("/v1/auth/api-tokens/{name}")
    @ErrorAnswers({ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.API_TOKEN_NOT_FOUND})
    RevokeApiTokenResponse revoke(@AuthenticationPrincipal Caller caller, @PathVariable String name) {
        return new RevokeApiTokenResponse(tokens.revoke(caller, name).name());
    }

    /**
     * {@code turso auth logout --all}: {@code {"validFrom": <unix s>}}. Revokes the caller's other tokens (see
     * {@link ApiTokenService#invalidate}).
     */
    @PostMapping("/v1/auth/invalidate")
    Invalidated invalidate(@AuthenticationPrincipal Caller caller) {
        return new Invalidated(tokens.invalidate(caller) / 1000);
    }
}
