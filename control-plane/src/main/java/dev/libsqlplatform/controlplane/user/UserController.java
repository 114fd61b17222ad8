package dev.libsqlplatform.controlplane.user;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class UserController {

    private final UserService users;
    private final FirstTokens tokens;
    private final PlatformProperties properties;
    private final Authorizer authorizer;

    UserController(UserService users, FirstTokens tokens, PlatformProperties properties, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.users = users;
        this.tokens = tokens;
        this.properties = properties;
    }

    /** Reference §3.6 User. */
    record UserView(String username, String name, String email, String avatarUrl, String plan, boolean mfa,
                    @JsonProperty("has_pending_invites") boolean hasPendingInvites) {
        static UserView of(User u, boolean hasPendingInvites) {
            return new UserView(u.username(), u.name(), u.email(), "", "starter", false, hasPendingInvites);
        }
    }

    record CreateUserRequest(String username, String email, String name) {
    }

    record CreatedUser(UserView user, String token) {
    }

    record UserResponse(UserView user) {
    }

    @GetMapping({"/v1/user", "/v1/current-user"})
    UserResponse current(@AuthenticationPrincipal Caller caller) {
        User user = users.require(caller.userId());
        return new UserResponse(UserView.of(user, users.hasPendingInvites(user, caller.organizationId())));
    }

    /**
     * Our extension (self-hosting needs a way to create users): the platform administrator (the bootstrap admin
     * user) creates a user and receives its first Platform API token, shown once. The user joins organizations
     * by being added as a member or by accepting an invite.
     */
    @PostMapping("/v1/users")
    @ErrorAnswers({ApiError.NAME_INVALID, ApiError.BAD_REQUEST, ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.FORBIDDEN,
            ApiError.USER_EXISTS})
    CreatedUser create(@AuthenticationPrincipal Caller caller, @RequestBody(required = false) CreateUserRequest body) {
        authorizer.requireUnbound(caller, "create users");
        if (!properties.adminUsername().equals(caller.username())) {
            throw ApiError.FORBIDDEN.exception("creating users requires the platform administrator");
        }
        CreateUserRequest b = body != null ? body : new CreateUserRequest(null, null, null);
        if (b.username() == null || !b.username().matches("^[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?$")) {
            throw ApiError.NAME_INVALID.exception("invalid username '" + b.username()
                    + "': use 1 to 40 lowercase letters, numbers, dashes and underscores");
        }
        if (b.email() == null || !b.email().trim().matches("^[^@\\s]+@[^@\\s]+$")) {
            throw ApiError.BAD_REQUEST.exception("invalid email: " + b.email());
        }
        User u = users.create(b.username(), b.email().trim(), b.name());
        return new CreatedUser(UserView.of(u, users.hasPendingInvites(u, null)), tokens.issueFirst(u.id(), "initial"));
    }
}
