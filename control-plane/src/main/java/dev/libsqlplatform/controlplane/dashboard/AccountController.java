package dev.libsqlplatform.controlplane.dashboard;

import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.security.Passwords;
import dev.libsqlplatform.controlplane.web.ApiException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The signed-in user's account: change (or, after a token sign-in, set) the dashboard password. */
@Controller
class AccountController {

    private final Shells shells;
    private final Passwords passwords;

    AccountController(Shells shells, Passwords passwords) {
        this.shells = shells;
        this.passwords = passwords;
    }

    @GetMapping("/dashboard/-/account")
    String account(@AuthenticationPrincipal Caller caller, Model model) {
        model.addAttribute("shell", shells.open(caller, null, Action.READ));
        model.addAttribute("hasPassword", passwords.hasPassword(caller.userId()));
        return "dashboard/account";
    }

    @PostMapping("/dashboard/-/account/password")
    String change(@AuthenticationPrincipal Caller caller, @RequestParam(required = false) String current,
                  @RequestParam(required = false) String password, @RequestParam(required = false) String confirm,
                  Model model, RedirectAttributes redirect) {
        try {
            if (password == null || !password.equals(confirm)) {
                model.addAttribute("error", "the new password and its confirmation differ");
            } else {
                passwords.change(caller, current, password);
                redirect.addFlashAttribute("notice", "Password changed.");
                return "redirect:/dashboard/-/account";
            }
        } catch (ApiException e) {
            model.addAttribute("error", e.getMessage());
        }
        return account(caller, model);
    }
}
