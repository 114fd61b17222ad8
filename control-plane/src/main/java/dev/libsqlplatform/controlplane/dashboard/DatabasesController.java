package dev.libsqlplatform.controlplane.dashboard;

import java.util.Optional;

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
import org.springframework.web.util.UriUtils;

/** Databases: list, create, detail, delete; database tokens (mint, revoke). Same actions as the Platform API. */
@Controller
class DatabasesController {

    private static final String DB = "/dashboard/{org}/databases/{db}";

    private final Shells shells;
    private final DatabasePages pages;
    private final TokenPages tokens;

    DatabasesController(Shells shells, DatabasePages pages, TokenPages tokens) {
        this.shells = shells;
        this.pages = pages;
        this.tokens = tokens;
    }

    @GetMapping("/dashboard/{org}/databases")
    String list(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                @RequestParam(required = false) String q, @RequestParam(defaultValue = "1") int page, Model model) {
        Shell shell = shells.open(caller, org, Action.READ);
        model.addAttribute("shell", shell);
        model.addAttribute("list", pages.list(shell, q, page));
        return "dashboard/databases";
    }

    @GetMapping("/dashboard/{org}/databases/new")
    String createForm(@AuthenticationPrincipal Caller caller, @PathVariable String org, Model model) {
        Shell shell = shells.open(caller, org, Action.DATABASE_CREATE);
        return form(shell, DatabasePages.CreateForm.empty(), model);
    }

    @PostMapping("/dashboard/{org}/databases")
    String create(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                  @RequestParam(required = false) String name, @RequestParam(required = false) String group,
                  @RequestParam(required = false) String sizeLimit, Model model, RedirectAttributes redirect) {
        Shell shell = shells.open(caller, org, Action.DATABASE_CREATE);
        Optional<DatabasePages.CreateForm> refused = pages.create(shell,
                new DatabasePages.CreateForm(name, group, sizeLimit, java.util.Map.of()));
        if (refused.isPresent()) {
            return form(shell, refused.get(), model);
        }
        redirect.addFlashAttribute("notice", "Database " + name.trim() + " created: it is being provisioned.");
        return "redirect:/dashboard/" + path(shell.slug()) + "/databases/" + path(name.trim());
    }

    private String form(Shell shell, DatabasePages.CreateForm form, Model model) {
        model.addAttribute("shell", shell);
        model.addAttribute("form", form);
        model.addAttribute("groups", pages.groupNames(shell));
        return "dashboard/database-new";
    }

    @GetMapping(DB)
    String detail(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                  Model model) {
        Shell shell = shells.open(caller, org, Action.READ);
        model.addAttribute("shell", shell);
        model.addAttribute("db", pages.detail(shell, db));
        return "dashboard/database";
    }

    @PostMapping(DB + "/delete")
    String delete(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                  @RequestParam(required = false) String confirm, RedirectAttributes redirect) {
        Shell shell = shells.open(caller, org, Action.DATABASE_DELETE);
        pages.delete(shell, db, confirm);
        redirect.addFlashAttribute("notice", "Database " + db + " deleted.");
        return "redirect:/dashboard/" + path(shell.slug()) + "/databases";
    }

    @PostMapping(DB + "/tokens")
    String mint(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                @RequestParam(defaultValue = "full-access") String access,
                @RequestParam(required = false) String expiration, Model model) {
        Shell shell = shells.open(caller, org, Action.DATABASE_MINT_TOKEN);
        model.addAttribute("shell", shell);
        model.addAttribute("minted", tokens.mintDatabase(shell, db, access, expiration));
        model.addAttribute("back", "/dashboard/" + path(shell.slug()) + "/databases/" + path(db));
        return "dashboard/token-minted";
    }

    @PostMapping(DB + "/tokens/{jti}/revoke")
    String revoke(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                  @PathVariable String jti, RedirectAttributes redirect) {
        Shell shell = shells.open(caller, org, Action.DATABASE_REVOKE_TOKEN);
        tokens.revokeDatabaseToken(shell, db, jti);
        redirect.addFlashAttribute("notice", "Token " + jti + " revoked.");
        return "redirect:/dashboard/" + path(shell.slug()) + "/databases/" + path(db);
    }

    static String path(String segment) {
        return UriUtils.encodePathSegment(segment, java.nio.charset.StandardCharsets.UTF_8);
    }
}
