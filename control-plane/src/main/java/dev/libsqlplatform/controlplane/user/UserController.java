package dev.libsqlplatform.controlplane.user;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class UserController {

    private final UserService users;

    UserController(UserService users) {
        this.users = users;
    }

    /** Reference §3.6 User. */
    record UserView(String username, String name, String email, String avatarUrl, String plan, boolean mfa,
                    @JsonProperty("has_pending_invites") boolean hasPendingInvites) {
    }

    @GetMapping({"/v1/user", "/v1/current-user"})
    Map<String, UserView> current(@AuthenticationPrincipal Caller caller) {
        User u = users.require(caller.userId());
        return Map.of("user", new UserView(u.username(), u.name(), u.email(), "", "starter", false, false));
    }
}
