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

    /** {@code {"locations": {"local": "Local workers"}}} */
    @GetMapping("/v1/locations")
    Map<String, Object> list() {
        return Map.of("locations", locations.all());
    }

    /** CLI form: locations by platform. */
    @GetMapping({"/v2/locations", "/v2/organizations/{org}/locations"})
    Map<String, Object> byPlatform() {
        return Map.of("locations", Map.of("local", locations.all()));
    }
}
