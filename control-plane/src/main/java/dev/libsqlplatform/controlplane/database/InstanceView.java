package dev.libsqlplatform.controlplane.database;

/** Reference §3.3: every database has exactly one instance, its primary, in its group's primary location. */
public record InstanceView(String uuid, String name, String type, String region, String hostname) {
}
