package dev.libsqlplatform.controlplane.worker;

/** Body of {@code POST /internal/v1/workers/heartbeat} (docs/internals.md). */
public record WorkerHeartbeat(String id, String url, Long capacity, Long databases) {
}
