package dev.libsqlplatform.controlplane.placement;

import dev.libsqlplatform.contract.internalapi.DatabaseRoute;
import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Internal API (service secret): worker → control plane, "where does this database live?" */
@RestController
class RouteController {

    private final Routes routes;

    RouteController(Routes routes) {
        this.routes = routes;
    }

    @GetMapping(InternalApi.ROUTES)
    DatabaseRoute route(@RequestParam(required = false) String id, @RequestParam(required = false) String label) {
        if ((id == null || id.isBlank()) == (label == null || label.isBlank())) {
            throw ApiError.BAD_REQUEST.exception("give exactly one of id and label");
        }
        return routes.find(blankToNull(id), blankToNull(label))
                .orElseThrow(() -> ApiError.DATABASE_NOT_FOUND.exception("no such database"));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
