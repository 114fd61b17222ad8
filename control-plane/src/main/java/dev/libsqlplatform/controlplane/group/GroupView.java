package dev.libsqlplatform.controlplane.group;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Reference §3.2. */
public record GroupView(String name, String uuid, String version, List<String> locations, String primary,
                        boolean archived, @JsonProperty("delete_protection") boolean deleteProtection,
                        Status status) {

    public static final String VERSION = "0.1.0";

    public record Status(List<LocationStatus> locations) {
    }

    public record LocationStatus(String name, String status) {
    }

    public static GroupView of(DbGroup g) {
        return new GroupView(g.name(), g.id(), VERSION, List.of(g.primaryLocation()), g.primaryLocation(), false,
                g.deleteProtection(), new Status(List.of(new LocationStatus(g.primaryLocation(), "up"))));
    }
}
