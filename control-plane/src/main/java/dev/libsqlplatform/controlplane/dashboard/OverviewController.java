package dev.libsqlplatform.controlplane.dashboard;

import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

@Controller
class OverviewController {

    private final Shells shells;
    private final Overview overview;
    private final UsagePage usage;
    private final WorkersPage workers;

    OverviewController(Shells shells, Overview overview, UsagePage usage, WorkersPage workers) {
        this.shells = shells;
        this.overview = overview;
        this.usage = usage;
        this.workers = workers;
    }

    @GetMapping("/dashboard/{org}")
    String overview(@AuthenticationPrincipal Caller caller, @PathVariable String org, Model model) {
        Shell shell = shells.open(caller, org, Action.READ);
        model.addAttribute("shell", shell);
        model.addAttribute("page", overview.page(shell));
        return "dashboard/overview";
    }

    @GetMapping("/dashboard/{org}/usage")
    String usage(@AuthenticationPrincipal Caller caller, @PathVariable String org, Model model) {
        Shell shell = shells.open(caller, org, Action.READ);
        model.addAttribute("shell", shell);
        model.addAttribute("page", usage.page(shell));
        return "dashboard/usage";
    }

    @GetMapping("/dashboard/-/workers")
    String workers(@AuthenticationPrincipal Caller caller, Model model) {
        model.addAttribute("shell", shells.openOperator(caller));
        model.addAttribute("workers", workers.rows());
        return "dashboard/workers";
    }
}
