package dev.libsqlplatform.controlplane.worker;

import java.util.Map;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Internal API (service secret): worker → control plane. */
@RestController
class WorkerController {

    private final WorkerService workers;
    private final ApplicationEventPublisher events;

    WorkerController(WorkerService workers, ApplicationEventPublisher events) {
        this.workers = workers;
        this.events = events;
    }

    /**
     * Registers/refreshes the worker, then hands its usage report to the usage module ({@link UsageReported}: usage
     * depends on this module's heartbeat types, so this one may not call it), which ignores an already stored
     * {@code reportId}.
     */
    @PostMapping("/internal/v1/workers/heartbeat")
    Map<String, Object> heartbeat(@RequestBody(required = false) WorkerHeartbeat body) {
        workers.heartbeat(body);
        events.publishEvent(new UsageReported(body.id(), body.reportId(), body.usage()));
        return Map.of();
    }
}
