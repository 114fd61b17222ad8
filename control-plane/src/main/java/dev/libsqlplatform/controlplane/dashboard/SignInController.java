package dev.libsqlplatform.controlplane.dashboard;

import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The sign-in page (the POST is security's SignInFilter) and the entry redirects. */
@Controller
class SignInController {

    private final Shells shells;

    SignInController(Shells shells) {
        this.shells = shells;
    }

    @GetMapping("/")
    String root() {
        return "redirect:/dashboard";
    }

    @GetMapping("/sign-in")
    String signIn(@RequestParam(required = false) String error, @RequestParam(name = "signed-out", required = false)
            String signedOut, Model model) {
        model.addAttribute("error", error == null ? null : switch (error) {
            case "locked" -> "Too many failed sign-ins: this account is locked for a while. Try again later or "
                    + "sign in with a Platform API token.";
            case "token" -> "That Platform API token is invalid, revoked or expired.";
            case "expired" -> "Your session has ended: sign in again.";
            default -> "Wrong username or password.";
        });
        model.addAttribute("signedOut", signedOut != null);
        return "dashboard/sign-in";
    }

    /** The caller's own organization, or {@code org} chosen in the organization switcher. */
    @GetMapping("/dashboard")
    String home(@AuthenticationPrincipal Caller caller, @RequestParam(required = false) String org) {
        return "redirect:/dashboard/" + DatabasesController.path(org == null || org.isBlank() ? shells.home(caller) : org);
    }
}
