package dev.libsqlplatform.controlplane.dashboard;

import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.placement.Drains;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

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
        model.addAttribute("mayDrain", workers.mayDrain(caller));
        return "dashboard/workers";
    }

    @PostMapping("/dashboard/-/workers/{worker}/drain")
    String drain(@AuthenticationPrincipal Caller caller, @PathVariable String worker, RedirectAttributes redirect) {
        shells.openOperator(caller);
        Drains.WorkerView w = workers.drain(caller, worker);
        redirect.addFlashAttribute("notice", "Worker " + w.id() + " is draining: its databases move to other workers.");
        return "redirect:/dashboard/-/workers";
    }

    @PostMapping("/dashboard/-/workers/{worker}/undrain")
    String undrain(@AuthenticationPrincipal Caller caller, @PathVariable String worker, RedirectAttributes redirect) {
        shells.openOperator(caller);
        Drains.WorkerView w = workers.undrain(caller, worker);
        redirect.addFlashAttribute("notice", "Worker " + w.id() + " is no longer draining: it takes new databases, "
                + "and those not moved yet stay.");
        return "redirect:/dashboard/-/workers";
    }
}
