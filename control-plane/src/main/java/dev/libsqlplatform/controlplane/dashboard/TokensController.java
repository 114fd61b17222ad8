package dev.libsqlplatform.controlplane.dashboard;

import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Group tokens and the signed-in user's Platform API tokens. */
@Controller
class TokensController {

    private final Shells shells;
    private final TokenPages tokens;

    TokensController(Shells shells, TokenPages tokens) {
        this.shells = shells;
        this.tokens = tokens;
    }

    @GetMapping("/dashboard/{org}/tokens")
    String page(@AuthenticationPrincipal Caller caller, @PathVariable String org, Model model) {
        Shell shell = shells.open(caller, org, Action.READ);
        model.addAttribute("shell", shell);
        model.addAttribute("groups", tokens.groupNames(shell));
        model.addAttribute("groupTokens", tokens.groupTokens(shell));
        model.addAttribute("apiTokens", tokens.apiTokens(caller));
        return "dashboard/tokens";
    }

    @PostMapping("/dashboard/{org}/group-tokens")
    String mintGroup(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                     @RequestParam(required = false) String group,
                     @RequestParam(defaultValue = "full-access") String access,
                     @RequestParam(required = false) String expiration, Model model) {
        Shell shell = shells.open(caller, org, Action.GROUP_MINT_TOKEN);
        model.addAttribute("shell", shell);
        model.addAttribute("minted", tokens.mintGroup(shell, group, access, expiration));
        model.addAttribute("back", "/dashboard/" + DatabasesController.path(shell.slug()) + "/tokens");
        return "dashboard/token-minted";
    }

    @PostMapping("/dashboard/{org}/group-tokens/{group}/{jti}/revoke")
    String revokeGroupToken(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String group,
                            @PathVariable String jti, RedirectAttributes redirect) {
        Shell shell = shells.open(caller, org, Action.GROUP_REVOKE_TOKEN);
        tokens.revokeGroupToken(shell, group, jti);
        redirect.addFlashAttribute("notice", "Group token " + jti + " revoked.");
        return "redirect:/dashboard/" + DatabasesController.path(shell.slug()) + "/tokens";
    }

    /** Platform API tokens are the user's own (as {@code POST /v1/auth/api-tokens/{name}}). */
    @PostMapping("/dashboard/{org}/api-tokens")
    String createApiToken(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                          @RequestParam(required = false) String name, Model model) {
        Shell shell = shells.open(caller, org, Action.READ);
        model.addAttribute("shell", shell);
        model.addAttribute("minted", tokens.createApiToken(caller, name));
        model.addAttribute("back", "/dashboard/" + DatabasesController.path(shell.slug()) + "/tokens");
        return "dashboard/token-minted";
    }

    @PostMapping("/dashboard/{org}/api-tokens/{name}/revoke")
    String revokeApiToken(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String name,
                          RedirectAttributes redirect) {
        Shell shell = shells.open(caller, org, Action.READ);
        tokens.revokeApiToken(caller, name);
        redirect.addFlashAttribute("notice", "Platform API token " + name + " revoked.");
        return "redirect:/dashboard/" + DatabasesController.path(shell.slug()) + "/tokens";
    }
}
