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
        List<String> all = locations(g);
        return new GroupView(g.name(), g.id(), VERSION, all, g.primaryLocation(), false,
                g.deleteProtection(), new Status(all.stream().map(l -> new LocationStatus(l, "up")).toList()));
    }

    /** The primary location first, then the added ones. */
    public static List<String> locations(DbGroup g) {
        java.util.List<String> all = new java.util.ArrayList<>(List.of(g.primaryLocation()));
        if (g.extraLocations() != null && !g.extraLocations().isBlank()) {
            for (String l : g.extraLocations().split(",")) {
                if (!l.isBlank() && !all.contains(l)) {
                    all.add(l);
                }
            }
        }
        return List.copyOf(all);
    }
}
