package dev.libsqlplatform.controlplane.placement;

import java.util.List;

import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Our extension, platform-wide (no organization): the workers and draining one. The platform administrator only, with
 * a token not bound to an organization (as {@code POST /v1/users}).
 */
@RestController
class WorkerAdminController {

    private static final String WHAT = "managing workers";

    private final Authorizer authorizer;
    private final Drains drains;

    WorkerAdminController(Authorizer authorizer, Drains drains) {
        this.authorizer = authorizer;
        this.drains = drains;
    }

    record WorkersResponse(List<Drains.WorkerView> workers) {
    }

    record WorkerResponse(Drains.WorkerView worker) {
    }

    @GetMapping("/v1/workers")
    @ErrorAnswers({ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.FORBIDDEN})
    WorkersResponse list(@AuthenticationPrincipal Caller caller) {
        authorizer.requirePlatformAdministrator(caller, WHAT);
        return new WorkersResponse(drains.list());
    }

    @GetMapping("/v1/workers/{worker}")
    @ErrorAnswers({ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.FORBIDDEN, ApiError.WORKER_NOT_FOUND})
    WorkerResponse get(@AuthenticationPrincipal Caller caller, @PathVariable String worker) {
        authorizer.requirePlatformAdministrator(caller, WHAT);
        return new WorkerResponse(drains.get(worker));
    }

    /** Drains the worker: no new databases, and each of its databases moves to another worker with its data. */
    @PostMapping("/v1/workers/{worker}/drain")
    @ErrorAnswers({ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.FORBIDDEN, ApiError.WORKER_NOT_FOUND,
            ApiError.LAST_LIVE_WORKER})
    WorkerResponse drain(@AuthenticationPrincipal Caller caller, @PathVariable String worker) {
        authorizer.requirePlatformAdministrator(caller, WHAT);
        return new WorkerResponse(drains.drain(worker));
    }

    /** Stops draining: the worker takes new databases again; those not moved yet stay. */
    @DeleteMapping("/v1/workers/{worker}/drain")
    @ErrorAnswers({ApiError.TOKEN_BOUND_TO_ORGANIZATION, ApiError.FORBIDDEN, ApiError.WORKER_NOT_FOUND})
    WorkerResponse undrain(@AuthenticationPrincipal Caller caller, @PathVariable String worker) {
        authorizer.requirePlatformAdministrator(caller, WHAT);
        return new WorkerResponse(drains.undrain(worker));
    }
}
