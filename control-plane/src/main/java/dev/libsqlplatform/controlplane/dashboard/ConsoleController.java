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

/**
 * The SQL console of one database. It needs a database token, so it takes the role that may mint one
 * ({@link Action#DATABASE_MINT_TOKEN}); viewers, who may not, do not get a console.
 */
@Controller
class ConsoleController {

    private static final String CONSOLE = "/dashboard/{org}/databases/{db}/console";

    private final Shells shells;
    private final SqlConsole console;

    ConsoleController(Shells shells, SqlConsole console) {
        this.shells = shells;
        this.console = console;
    }

    @GetMapping(CONSOLE)
    String open(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db, Model model) {
        Shell shell = shells.open(caller, org, Action.DATABASE_MINT_TOKEN);
        return view(shell, db, "", console.schema(shell, db), model);
    }

    @PostMapping(CONSOLE)
    String run(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
               @RequestParam(required = false) String sql, Model model) {
        Shell shell = shells.open(caller, org, Action.DATABASE_MINT_TOKEN);
        return view(shell, db, sql, console.run(shell, db, sql == null ? "" : sql), model);
    }

    private static String view(Shell shell, String db, String sql, SqlConsole.Page page, Model model) {
        model.addAttribute("shell", shell);
        model.addAttribute("database", db);
        model.addAttribute("sql", sql);
        model.addAttribute("console", page);
        return "dashboard/console";
    }
}
