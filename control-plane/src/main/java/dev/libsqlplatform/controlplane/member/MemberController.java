package dev.libsqlplatform.controlplane.member;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.organization.Organization;
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
import org.springframework.web.bind.annotation.RestController;

/** Members (v1) and invites (v2 and the CLI's legacy v1), reference §4.2; invite acceptance is our extension. */
@RestController
class MemberController {

    private static final String ORG = "/v1/organizations/{org}";

    private final Authorizer authorizer;
    private final MemberService members;

    MemberController(Authorizer authorizer, MemberService members) {
        this.authorizer = authorizer;
        this.members = members;
    }

    /** spec/CLI {@code {"username","role"}}; npm {@code {"member","role"}} (text/plain). */
    record AddMemberRequest(String username, String member, String role) {
    }

    record RoleRequest(String role) {
    }

    record AddedMember(String member, String role) {
    }

    record InviteRequest(String email, String username, String role) {
    }

    record InviteView(long id, String email, String role, @JsonProperty("created_at") Instant createdAt,
                      boolean accepted) {
        static InviteView of(Invite i) {
            return new InviteView(i.id(), i.email(), i.role(), Instant.ofEpochMilli(i.createdAt()), i.acceptedAt() != null);
        }
    }

    record Invited(String email, String role, String organization) {
    }

    record MyInvite(long id, String email, String role, String organization,
                    @JsonProperty("created_at") Instant createdAt) {
    }

    // Answer bodies (reference §4.2): one record per shape so the OpenAPI document names every field.

    record MembersResponse(List<MemberService.Member> members) {
    }

    record MemberResponse(MemberService.Member member) {
    }

    /** The removed member's username. */
    record RemoveMemberResponse(String member) {
    }

    record InvitesResponse(List<InviteView> invites) {
    }

    record InviteResponse(Invited invited) {
    }

    record MyInvitesResponse(List<MyInvite> invites) {
    }

    @GetMapping(ORG + "/members")
    MembersResponse list(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return new MembersResponse(members.list(authorizer.require(caller, org, Action.READ)));
    }

    @PostMapping(ORG + "/members")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.BAD_REQUEST, ApiError.ROLE_INVALID, ApiError.USER_NOT_FOUND,
            ApiError.MEMBER_EXISTS})
    AddedMember add(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                    @RequestBody(required = false) AddMemberRequest body) {
        AddMemberRequest b = body != null ? body : new AddMemberRequest(null, null, null);
        MemberService.Member m = members.add(authorizer.authorize(caller, org, Action.MEMBERS_MANAGE),
                b.username() != null ? b.username() : b.member(), b.role());
        return new AddedMember(m.username(), m.role());
    }

    /** npm {@code addMember}: the username is in the path. */
    @PostMapping(ORG + "/members/{username}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.BAD_REQUEST, ApiError.ROLE_INVALID, ApiError.USER_NOT_FOUND,
            ApiError.MEMBER_EXISTS})
    AddedMember addNamed(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String username,
                         @RequestBody(required = false) AddMemberRequest body) {
        MemberService.Member m = members.add(authorizer.authorize(caller, org, Action.MEMBERS_MANAGE), username,
                body != null ? body.role() : null);
        return new AddedMember(m.username(), m.role());
    }

    @GetMapping(ORG + "/members/{username}")
    @ErrorAnswers(ApiError.MEMBER_NOT_FOUND)
    MemberResponse get(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                          @PathVariable String username) {
        return new MemberResponse(members.get(authorizer.require(caller, org, Action.READ), username));
    }

    @PatchMapping(ORG + "/members/{username}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.ROLE_INVALID, ApiError.LAST_OWNER, ApiError.MEMBER_NOT_FOUND})
    MemberResponse changeRole(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                                 @PathVariable String username,
                                                 @RequestBody(required = false) RoleRequest body) {
        return new MemberResponse(members.changeRole(authorizer.authorize(caller, org, Action.MEMBERS_MANAGE), username,
                body != null ? body.role() : null));
    }

    @DeleteMapping(ORG + "/members/{username}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.LAST_OWNER, ApiError.MEMBER_NOT_FOUND})
    RemoveMemberResponse remove(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                               @PathVariable String username) {
        return new RemoveMemberResponse(members.remove(authorizer.authorize(caller, org, Action.MEMBERS_MANAGE), username));
    }

    // ---- invites v2 (spec, npm)

    @GetMapping({"/v2/organizations/{org}/invites", ORG + "/invites"})
    @ErrorAnswers(ApiError.FORBIDDEN)
    InvitesResponse invites(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return new InvitesResponse(members.invites(authorizer.require(caller, org, Action.INVITES_READ)).stream()
                .map(InviteView::of).toList());
    }

    @PostMapping("/v2/organizations/{org}/invites")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.BAD_REQUEST, ApiError.ROLE_INVALID, ApiError.USER_NOT_FOUND,
            ApiError.MEMBER_EXISTS, ApiError.INVITE_EXISTS})
    InviteResponse invite(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                @RequestBody(required = false) InviteRequest body) {
        Authorizer.Access access = authorizer.authorize(caller, org, Action.INVITES_MANAGE);
        InviteRequest b = body != null ? body : new InviteRequest(null, null, null);
        Invite i = members.invite(access, b.email(), b.username(), b.role(), caller);
        return new InviteResponse(new Invited(i.email(), i.role(), access.organization().slug()));
    }

    @DeleteMapping({"/v2/organizations/{org}/invites/{email:.+}", ORG + "/invites/{email:.+}"})
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.INVITE_NOT_FOUND})
    EmptyResponse deleteInvite(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                     @PathVariable String email) {
        members.deleteInvite(authorizer.require(caller, org, Action.INVITES_MANAGE), email);
        return EmptyResponse.INSTANCE;
    }

    /** CLI legacy {@code POST .../invite} {@code {"email","role"}} → {@code {}}. */
    @PostMapping(ORG + "/invite")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.BAD_REQUEST, ApiError.ROLE_INVALID, ApiError.USER_NOT_FOUND,
            ApiError.MEMBER_EXISTS, ApiError.INVITE_EXISTS})
    EmptyResponse inviteV1(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                 @RequestBody(required = false) InviteRequest body) {
        InviteRequest b = body != null ? body : new InviteRequest(null, null, null);
        members.invite(authorizer.authorize(caller, org, Action.INVITES_MANAGE), b.email(), b.username(), b.role(), caller);
        return EmptyResponse.INSTANCE;
    }

    // ---- our extension: the invited user sees and accepts invites

    @GetMapping("/v1/invites")
    MyInvitesResponse mine(@AuthenticationPrincipal Caller caller) {
        return new MyInvitesResponse(members.pendingFor(caller).stream().map(i -> new MyInvite(i.id(), i.email(), i.role(),
                members.organizationOf(i).slug(), Instant.ofEpochMilli(i.createdAt()))).toList());
    }

    @PostMapping("/v1/invites/{id}/accept")
    @ErrorAnswers({ApiError.BAD_REQUEST, ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.INVITE_NOT_FOUND})
    AddedMemberOf accept(@AuthenticationPrincipal Caller caller, @PathVariable long id) {
        Invite i = members.accept(caller, id);
        Organization org = members.organizationOf(i);
        Authorizer.remember(org.id());
        return new AddedMemberOf(caller.username(), i.role(), org.slug());
    }

    record AddedMemberOf(String member, String role, String organization) {
    }
}
