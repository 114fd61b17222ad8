package dev.libsqlplatform.controlplane.placement;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.StrayCheck;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Internal API (service secret): a starting worker asks which of its databases it must not serve. */
@RestController
class StrayController {

    private final StrayCopies strays;

    StrayController(StrayCopies strays) {
        this.strays = strays;
    }

    @PostMapping(InternalApi.STRAYS)
    StrayCheck.Answer check(@RequestBody(required = false) StrayCheck body) {
        if (body == null || body.workerId() == null || body.workerId().isBlank() || body.databaseIds() == null
                || body.databaseIds().stream().anyMatch(id -> id == null || id.isBlank())) {
            throw ApiError.BAD_REQUEST.exception("a stray check needs workerId and databaseIds");
        }
        if (body.databaseIds().size() > StrayCheck.MAX_IDS) {
            throw ApiError.BAD_REQUEST.exception("at most " + StrayCheck.MAX_IDS + " database ids per stray check");
        }
        return new StrayCheck.Answer(strays.strays(body.workerId(), body.databaseIds()));
    }
}
