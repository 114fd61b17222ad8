package dev.libsqlplatform.controlplane.worker;

import java.util.Map;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.controlplane.usage.UsageService;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Internal API (service secret): worker → control plane; the body is the contract's {@link WorkerHeartbeat}. */
@RestController
class WorkerController {

    private final WorkerService workers;
    private final UsageService usage;

    WorkerController(WorkerService workers, UsageService usage) {
        this.workers = workers;
        this.usage = usage;
    }

    /** Registers/refreshes the worker, then stores its usage report unless its {@code reportId} was already stored. */
    @PostMapping(InternalApi.HEARTBEAT)
    Map<String, Object> heartbeat(@RequestBody(required = false) WorkerHeartbeat body) {
        workers.heartbeat(body);
        usage.intake(body.id(), body.reportId(), body.usage());
        return Map.of();
    }
}
