package dev.libsqlplatform.controlplane.group;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.audit.AuditDetails;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/organizations/{org}/groups")
class GroupController {

    private final Authorizer authorizer;
    private final GroupService groups;

    GroupController(Authorizer authorizer, GroupService groups) {
        this.authorizer = authorizer;
        this.groups = groups;
    }

    /** Body keys are matched case-insensitively (the CLI sends {@code Name}, {@code Location}, {@code Version}). */
    record CreateGroupRequest(String name, String location, Object extensions, String version) {
    }

    record GroupConfiguration(@JsonProperty("delete_protection") Boolean deleteProtection) {
    }

    @GetMapping
    Map<String, List<GroupView>> list(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return Map.of("groups", groups.list(authorizer.require(caller, org, Action.READ)).stream().map(GroupView::of).toList());
    }

    @PostMapping
    Map<String, GroupView> create(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                  @RequestBody(required = false) CreateGroupRequest body) {
        CreateGroupRequest b = body != null ? body : new CreateGroupRequest(null, null, null, null);
        return Map.of("group", GroupView.of(groups.create(authorizer.require(caller, org, Action.GROUP_CREATE),
                b.name(), b.location())));
    }

    @GetMapping("/{group}")
    Map<String, GroupView> get(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group) {
        return Map.of("group", GroupView.of(groups.get(authorizer.require(caller, org, Action.READ), group)));
    }

    @DeleteMapping("/{group}")
    Map<String, GroupView> delete(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group) {
        return Map.of("group", GroupView.of(groups.delete(authorizer.require(caller, org, Action.GROUP_DELETE), group)));
    }

    @GetMapping("/{group}/configuration")
    GroupConfiguration configuration(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                     @PathVariable String group) {
        return new GroupConfiguration(groups.get(authorizer.require(caller, org, Action.READ), group).deleteProtection());
    }

    /** {@code {"delete_protection": bool}}; absent or null = unchanged. */
    @PatchMapping("/{group}/configuration")
    GroupConfiguration configure(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                 @PathVariable String group, @RequestBody(required = false) GroupConfiguration body) {
        return new GroupConfiguration(groups.setDeleteProtection(authorizer.require(caller, org, Action.GROUP_CONFIGURE),
                group, body != null ? body.deleteProtection() : null).deleteProtection());
    }

    @PostMapping("/{group}/locations/{location}")
    Map<String, GroupView> addLocation(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                       @PathVariable String group, @PathVariable String location) {
        return Map.of("group", GroupView.of(groups.addLocation(authorizer.require(caller, org, Action.GROUP_CONFIGURE),
                group, location)));
    }

    @DeleteMapping("/{group}/locations/{location}")
    Map<String, GroupView> removeLocation(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                          @PathVariable String group, @PathVariable String location) {
        return Map.of("group", GroupView.of(groups.removeLocation(authorizer.require(caller, org, Action.GROUP_CONFIGURE),
                group, location)));
    }

    /** CLI waits on this after creating a group: groups are usable at once. */
    @GetMapping("/{group}/locations/{location}/wait")
    Map<String, Object> waitForLocation(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                        @PathVariable String group, @PathVariable String location) {
        groups.get(authorizer.require(caller, org, Action.READ), group);
        return Map.of();
    }

    /** Groups are never archived here: answers the group as it is. */
    @PostMapping("/{group}/unarchive")
    Map<String, GroupView> unarchive(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                     @PathVariable String group) {
        return Map.of("group", GroupView.of(groups.get(authorizer.require(caller, org, Action.GROUP_CONFIGURE), group)));
    }

    /** CLI {@code group rename}: {@code {"Name": "<new>"}} (keys case-insensitive) → {@code {}}. */
    record RenameRequest(String name) {
    }

    /** {@code {"organization": "<target slug>"}}. */
    record TransferRequest(String organization) {
    }

    @PostMapping("/{group}/rename")
    Map<String, Object> rename(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group,
                               @RequestBody(required = false) RenameRequest body) {
        groups.rename(authorizer.require(caller, org, Action.GROUP_CONFIGURE), group, body != null ? body.name() : null);
        return Map.of();
    }

    /**
     * Reference §4.3: answers the moved group, unwrapped. The caller needs {@link Action#GROUP_TRANSFER} in both
     * organizations; the audit entry (with the target in {@code data.organization}) lands in both audit logs.
     */
    @PostMapping("/{group}/transfer")
    GroupView transfer(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group,
                       @RequestBody(required = false) TransferRequest body) {
        if (body == null || body.organization() == null || body.organization().isBlank()) {
            throw ApiError.BAD_REQUEST.exception("organization is required: the slug of the organization to transfer the group to");
        }
        var target = authorizer.require(caller, body.organization().trim(), Action.GROUP_TRANSFER);
        AuditDetails.put("organization", target.slug());
        AuditDetails.alsoFor(target.id());
        return GroupView.of(groups.transfer(authorizer.require(caller, org, Action.GROUP_TRANSFER), group, target));
    }

    /** One server version: nothing to update. */
    @PostMapping("/{group}/update")
    Map<String, Object> update(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group) {
        groups.get(authorizer.require(caller, org, Action.GROUP_CONFIGURE), group);
        return Map.of();
    }
}
