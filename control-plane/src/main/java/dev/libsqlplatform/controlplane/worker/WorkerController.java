package dev.libsqlplatform.controlplane.worker;

import java.util.Map;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Internal API (service secret): worker → control plane. */
@RestController
class WorkerController {

    private final WorkerService workers;

    WorkerController(WorkerService workers) {
        this.workers = workers;
    }

    @PostMapping("/internal/v1/workers/heartbeat")
    Map<String, Object> heartbeat(@RequestBody(required = false) WorkerHeartbeat body) {
        workers.heartbeat(body);
        return Map.of();
    }
}
