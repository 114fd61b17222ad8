package dev.libsqlplatform.controlplane.group;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.audit.AuditDetails;
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

    // Answer bodies (reference §3.3 Group, §4.3): one record per shape so the OpenAPI document names every field.

    record GroupsResponse(List<GroupView> groups) {
    }

    record GroupResponse(GroupView group) {
    }

    @GetMapping
    GroupsResponse list(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return new GroupsResponse(groups.list(authorizer.require(caller, org, Action.READ)).stream().map(GroupView::of).toList());
    }

    @PostMapping
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.NAME_INVALID, ApiError.LOCATION_INVALID, ApiError.GROUP_LIMIT_REACHED,
            ApiError.LOCATION_LIMIT_REACHED, ApiError.GROUP_EXISTS})
    GroupResponse create(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                  @RequestBody(required = false) CreateGroupRequest body) {
        CreateGroupRequest b = body != null ? body : new CreateGroupRequest(null, null, null, null);
        return new GroupResponse(GroupView.of(groups.create(authorizer.require(caller, org, Action.GROUP_CREATE),
                b.name(), b.location())));
    }

    @GetMapping("/{group}")
    @ErrorAnswers(ApiError.GROUP_NOT_FOUND)
    GroupResponse get(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group) {
        return new GroupResponse(GroupView.of(groups.get(authorizer.require(caller, org, Action.READ), group)));
    }

    @DeleteMapping("/{group}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND, ApiError.DELETE_PROTECTED})
    GroupResponse delete(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group) {
        return new GroupResponse(GroupView.of(groups.delete(authorizer.require(caller, org, Action.GROUP_DELETE), group)));
    }

    @GetMapping("/{group}/configuration")
    @ErrorAnswers(ApiError.GROUP_NOT_FOUND)
    GroupConfiguration configuration(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                     @PathVariable String group) {
        return new GroupConfiguration(groups.get(authorizer.require(caller, org, Action.READ), group).deleteProtection());
    }

    /** {@code {"delete_protection": bool}}; absent or null = unchanged. */
    @PatchMapping("/{group}/configuration")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND})
    GroupConfiguration configure(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                 @PathVariable String group, @RequestBody(required = false) GroupConfiguration body) {
        return new GroupConfiguration(groups.setDeleteProtection(authorizer.require(caller, org, Action.GROUP_CONFIGURE),
                group, body != null ? body.deleteProtection() : null).deleteProtection());
    }

    @PostMapping("/{group}/locations/{location}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND, ApiError.LOCATION_INVALID,
            ApiError.LOCATION_LIMIT_REACHED})
    GroupResponse addLocation(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                       @PathVariable String group, @PathVariable String location) {
        return new GroupResponse(GroupView.of(groups.addLocation(authorizer.require(caller, org, Action.GROUP_CONFIGURE),
                group, location)));
    }

    @DeleteMapping("/{group}/locations/{location}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND, ApiError.LOCATION_INVALID, ApiError.BAD_REQUEST})
    GroupResponse removeLocation(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                          @PathVariable String group, @PathVariable String location) {
        return new GroupResponse(GroupView.of(groups.removeLocation(authorizer.require(caller, org, Action.GROUP_CONFIGURE),
                group, location)));
    }

    /** CLI waits on this after creating a group: groups are usable at once. */
    @GetMapping("/{group}/locations/{location}/wait")
    @ErrorAnswers(ApiError.GROUP_NOT_FOUND)
    EmptyResponse waitForLocation(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                        @PathVariable String group, @PathVariable String location) {
        groups.get(authorizer.require(caller, org, Action.READ), group);
        return EmptyResponse.INSTANCE;
    }

    /** Groups are never archived here: answers the group as it is. */
    @PostMapping("/{group}/unarchive")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND})
    GroupResponse unarchive(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                     @PathVariable String group) {
        return new GroupResponse(GroupView.of(groups.get(authorizer.require(caller, org, Action.GROUP_CONFIGURE), group)));
    }

    /** CLI {@code group rename}: {@code {"Name": "<new>"}} (keys case-insensitive) → {@code {}}. */
    record RenameRequest(String name) {
    }

    /** {@code {"organization": "<target slug>"}}. */
    record TransferRequest(String organization) {
    }

    @PostMapping("/{group}/rename")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND, ApiError.NAME_INVALID, ApiError.GROUP_EXISTS})
    EmptyResponse rename(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group,
                               @RequestBody(required = false) RenameRequest body) {
        groups.rename(authorizer.require(caller, org, Action.GROUP_CONFIGURE), group, body != null ? body.name() : null);
        return EmptyResponse.INSTANCE;
    }

    /**
     * Reference §4.3: answers the moved group, unwrapped. The caller needs {@link Action#GROUP_TRANSFER} in both
     * organizations; the audit entry (with the target in {@code data.organization}) lands in both audit logs.
     */
    @PostMapping("/{group}/transfer")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.BAD_REQUEST, ApiError.NAME_INVALID, ApiError.GROUP_NOT_FOUND,
            ApiError.GROUP_LIMIT_REACHED, ApiError.LOCATION_LIMIT_REACHED, ApiError.DATABASE_LIMIT_REACHED,
            ApiError.GROUP_EXISTS, ApiError.DATABASE_EXISTS, ApiError.HOSTNAME_TAKEN})
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
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.GROUP_NOT_FOUND})
    EmptyResponse update(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group) {
        groups.get(authorizer.require(caller, org, Action.GROUP_CONFIGURE), group);
        return EmptyResponse.INSTANCE;
    }
}
