package dev.libsqlplatform.controlplane.apitoken;

import java.time.Instant;
import java.util.List;

import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The organization's Platform API tokens (reference §4.2): the tokens bound to it (minted with
 * {@code {"organization": "<slug>"}}). Admins and owners see and revoke all of them; members and viewers their own.
 * Token values are never listed (only hashes are stored).
 */
@RestController
@RequestMapping("/v1/organizations/{org}/api-tokens")
class OrganizationApiTokenController {

    private final Authorizer authorizer;
    private final ApiTokenService tokens;

    OrganizationApiTokenController(Authorizer authorizer, ApiTokenService tokens) {
        this.authorizer = authorizer;
        this.tokens = tokens;
    }

    record Owner(String username, String email) {
    }

    record OrganizationToken(String id, String name, String organization, Owner owner, String created_at) {
    }

    record OrganizationApiTokensResponse(List<OrganizationToken> tokens) {
    }

    @GetMapping
    OrganizationApiTokensResponse list(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        Authorizer.Access access = authorizer.authorize(caller, org, Action.READ);
        boolean all = access.role().atLeast(Action.API_TOKENS_MANAGE.minimum());
        return new OrganizationApiTokensResponse(tokens.listForOrganization(access.organization().id(), all ? null : caller.userId())
                .stream().map(t -> new OrganizationToken(t.token().id(), t.token().name(), access.organization().slug(),
                        new Owner(t.owner().username(), t.owner().email()),
                        AuthController.DAY.format(Instant.ofEpochMilli(t.token().createdAt())))).toList());
    }

    /** {@code {"token": "<id>"}}; 404 for an id that is not a token of this organization. */
    @DeleteMapping("/{tokenId}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.API_TOKEN_NOT_FOUND})
    AuthController.RevokeApiTokenResponse revoke(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                               @PathVariable String tokenId) {
        Authorizer.Access access = authorizer.authorize(caller, org, Action.READ);
        return new AuthController.RevokeApiTokenResponse(tokens.revokeInOrganization(access.organization().id(), tokenId, caller.userId(),
                access.role().atLeast(Action.API_TOKENS_MANAGE.minimum()), Action.API_TOKENS_MANAGE.deniedMessage()).id());
    }
}
