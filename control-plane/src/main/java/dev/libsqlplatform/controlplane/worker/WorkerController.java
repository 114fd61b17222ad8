package dev.libsqlplatform.controlplane.worker;

import java.util.Map;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Internal API (service secret): worker → control plane; the body is the contract's {@link WorkerHeartbeat}. */
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
     * depends on this module, so this one may not call it), which ignores an already stored {@code reportId}, and its
     * replication state to the database module ({@link ReplicationReported}).
     */
    @PostMapping(InternalApi.HEARTBEAT)
    Map<String, Object> heartbeat(@RequestBody(required = false) WorkerHeartbeat body) {
        workers.heartbeat(body);
        events.publishEvent(new UsageReported(body.id(), body.reportId(), body.usage()));
        if (body.replication() != null && !body.replication().isEmpty()) {
            events.publishEvent(new ReplicationReported(body.id(), body.replication()));
        }
        return Map.of();
    }
}
