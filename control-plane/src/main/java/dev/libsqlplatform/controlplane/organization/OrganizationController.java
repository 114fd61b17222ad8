package dev.libsqlplatform.controlplane.organization;

import java.util.List;
import java.util.Map;

import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class OrganizationController {

    private final OrganizationService organizations;

    OrganizationController(OrganizationService organizations) {
        this.organizations = organizations;
    }

    /** Spec shape: a bare array. */
    @GetMapping("/v1/organizations")
    List<OrganizationView> listV1(@AuthenticationPrincipal Caller caller) {
        return organizations.listFor(caller).stream().map(OrganizationView::of).toList();
    }

    /** CLI shape: {@code {"organizations": [...]}}. */
    @GetMapping("/v2/organizations")
    Map<String, List<OrganizationView>> listV2(@AuthenticationPrincipal Caller caller) {
        return Map.of("organizations", listV1(caller));
    }

    @GetMapping("/v1/organizations/{org}")
    Map<String, OrganizationView> get(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return Map.of("organization", OrganizationView.of(organizations.requireMember(caller, org)));
    }
}
