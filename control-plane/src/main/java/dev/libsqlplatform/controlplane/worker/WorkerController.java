package dev.libsqlplatform.controlplane.worker;

import java.util.Map;

import dev.libsqlplatform.controlplane.usage.UsageService;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Internal API (service secret): worker → control plane. */
@RestController
class WorkerController {

    private final WorkerService workers;
    private final UsageService usage;

    WorkerController(WorkerService workers, UsageService usage) {
        this.workers = workers;
        this.usage = usage;
    }

    /** Registers/refreshes the worker, then stores its usage report unless its {@code reportId} was already stored. */
    @PostMapping("/internal/v1/workers/heartbeat")
    Map<String, Object> heartbeat(@RequestBody(required = false) WorkerHeartbeat body) {
        workers.heartbeat(body);
        usage.intake(body.id(), body.reportId(), body.usage());
        return Map.of();
    }
}
