package dev.libsqlplatform.controlplane.database;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Reference §3.3: every database has exactly one instance, its primary, in its group's primary location.
 * {@code status} (beyond Turso): {@code up}, {@code down} while its worker misses heartbeats, or {@code draining} while
 * its worker is drained (it is about to move to another worker); null before placement.
 */
public record InstanceView(String uuid, String name, String type, String region, String hostname,
                           @JsonInclude(JsonInclude.Include.ALWAYS) String status) {
}
