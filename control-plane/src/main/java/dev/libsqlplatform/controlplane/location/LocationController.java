package dev.libsqlplatform.controlplane.location;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class LocationController {

    private final LocationService locations;

    LocationController(LocationService locations) {
        this.locations = locations;
    }

    /**
     * Location code → description. A map, not a record: the keys are the configured codes
     * ({@code platform.locations}), which is also how Turso answers.
     */
    record LocationsResponse(Map<String, String> locations) {
    }

    /** The same map per platform ({@code local} is the only one here). */
    record LocationsByPlatformResponse(Map<String, Map<String, String>> locations) {
    }

    /** {@code {"locations": {"local": "Local workers"}}} */
    @GetMapping("/v1/locations")
    LocationsResponse list() {
        return new LocationsResponse(locations.all());
    }

    /** CLI form: locations by platform. */
    @GetMapping({"/v2/locations", "/v2/organizations/{org}/locations"})
    LocationsByPlatformResponse byPlatform() {
        return new LocationsByPlatformResponse(Map.of("local", locations.all()));
    }
}
