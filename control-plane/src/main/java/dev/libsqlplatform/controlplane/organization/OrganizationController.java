package dev.libsqlplatform.controlplane.organization;

import java.util.List;

import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.EmptyResponse;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class OrganizationController {

    private final OrganizationService organizations;
    private final Authorizer authorizer;

    OrganizationController(OrganizationService organizations, Authorizer authorizer) {
        this.organizations = organizations;
        this.authorizer = authorizer;
    }

    /** Reference §4.2 PATCH (npm sends it as text/plain): absent or null = unchanged. */
    record UpdateOrganizationRequest(Boolean overages,
                                     @com.fasterxml.jackson.annotation.JsonProperty("require_mfa") Boolean requireMfa) {
    }

    /** CLI {@code org create}: {@code {"name", "stripe_id"?}}; {@code stripe_id} is accepted and ignored. */
    record CreateOrganizationRequest(String name) {
    }

    // Answer bodies (reference §3.1 Organization, §4.2): one record per shape so the OpenAPI document names every field.

    /** The CLI reads the new organization under {@code org}. */
    record CreateOrganizationResponse(OrganizationView org) {
    }

    record OrganizationsResponse(List<OrganizationView> organizations) {
    }

    record OrganizationResponse(OrganizationView organization) {
    }

    /** CLI shape {@code {"org": Organization}}; the caller becomes its owner. */
    @PostMapping("/v1/organizations")
    @ErrorAnswers({ApiError.BAD_REQUEST, ApiError.NAME_INVALID, ApiError.TOKEN_BOUND_TO_ORGANIZATION,
            ApiError.ORGANIZATION_EXISTS})
    CreateOrganizationResponse create(@AuthenticationPrincipal Caller caller,
                                         @RequestParam(name = "dry_run", defaultValue = "false") boolean dryRun,
                                         @RequestBody(required = false) CreateOrganizationRequest body) {
        String name = body != null ? body.name() : null;
        return new CreateOrganizationResponse(OrganizationView.of(organizations.create(caller, name, dryRun)));
    }

    /** Spec shape: a bare array. */
    @GetMapping("/v1/organizations")
    List<OrganizationView> listV1(@AuthenticationPrincipal Caller caller) {
        return organizations.listFor(caller).stream().map(OrganizationView::of).toList();
    }

    /** CLI shape: {@code {"organizations": [...]}}. */
    @GetMapping("/v2/organizations")
    OrganizationsResponse listV2(@AuthenticationPrincipal Caller caller) {
        return new OrganizationsResponse(listV1(caller));
    }

    @GetMapping("/v1/organizations/{org}")
    OrganizationResponse get(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return new OrganizationResponse(OrganizationView.of(authorizer.require(caller, org, Action.READ)));
    }

    @PatchMapping("/v1/organizations/{org}")
    @ErrorAnswers(ApiError.FORBIDDEN)
    OrganizationResponse update(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                         @RequestBody(required = false) UpdateOrganizationRequest body) {
        Organization o = authorizer.require(caller, org, Action.ORGANIZATION_UPDATE);
        UpdateOrganizationRequest b = body != null ? body : new UpdateOrganizationRequest(null, null);
        return new OrganizationResponse(OrganizationView.of(organizations.update(o, b.overages(), b.requireMfa())));
    }

    /** Owner only; its groups and databases are deleted (the reconciler removes the databases from their workers). */
    @DeleteMapping("/v1/organizations/{org}")
    @ErrorAnswers(ApiError.FORBIDDEN)
    EmptyResponse delete(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        organizations.delete(authorizer.require(caller, org, Action.ORGANIZATION_DELETE));
        return EmptyResponse.INSTANCE;
    }
}
