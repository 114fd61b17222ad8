package dev.libsqlplatform.controlplane.group;

import java.util.List;
import java.util.Map;

import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/organizations/{org}/groups")
class GroupController {

    private final OrganizationService organizations;
    private final GroupService groups;

    GroupController(OrganizationService organizations, GroupService groups) {
        this.organizations = organizations;
        this.groups = groups;
    }

    /** Body keys are matched case-insensitively (the CLI sends {@code Name}, {@code Location}, {@code Version}). */
    record CreateGroupRequest(String name, String location, Object extensions, String version) {
    }

    @GetMapping
    Map<String, List<GroupView>> list(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return Map.of("groups", groups.list(organizations.requireMember(caller, org)).stream().map(GroupView::of).toList());
    }

    @PostMapping
    Map<String, GroupView> create(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                  @RequestBody(required = false) CreateGroupRequest body) {
        CreateGroupRequest b = body != null ? body : new CreateGroupRequest(null, null, null, null);
        return Map.of("group", GroupView.of(groups.create(organizations.requireMember(caller, org), b.name(), b.location())));
    }

    @GetMapping("/{group}")
    Map<String, GroupView> get(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group) {
        return Map.of("group", GroupView.of(groups.get(organizations.requireMember(caller, org), group)));
    }

    @DeleteMapping("/{group}")
    Map<String, GroupView> delete(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group) {
        return Map.of("group", GroupView.of(groups.delete(organizations.requireMember(caller, org), group)));
    }

    /** CLI waits on this after creating a group: groups are usable at once. */
    @GetMapping("/{group}/locations/{location}/wait")
    Map<String, Object> waitForLocation(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                        @PathVariable String group, @PathVariable String location) {
        groups.get(organizations.requireMember(caller, org), group);
        return Map.of();
    }
}
