package dev.libsqlplatform.controlplane.worker;

/** A worker registered (first heartbeat) or came back after being silent: pending placements may proceed. */
public record WorkerEvents(String workerId) {
}
