package dev.libsqlplatform.controlplane.location;

import java.util.Map;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import org.springframework.stereotype.Service;

/** Locations are configuration ({@code platform.locations}); the first is the default. */
@Service
public class LocationService {

    private final PlatformProperties properties;

    LocationService(PlatformProperties properties) {
        this.properties = properties;
    }

    public Map<String, String> all() {
        return properties.locations();
    }

    public boolean exists(String code) {
        return code != null && properties.locations().containsKey(code);
    }

    public String defaultLocation() {
        return properties.defaultLocation();
    }
}
