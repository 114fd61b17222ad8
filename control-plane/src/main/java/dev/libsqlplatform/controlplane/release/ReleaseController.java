package dev.libsqlplatform.controlplane.release;

import java.util.Map;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /releases/latest} (no auth; reference §4.7): the Turso CLI's update check, {@code {"latest": "vX.Y.Z"}}.
 * Answers {@code platform.cli-release} when set; otherwise the version the calling CLI sends in
 * {@code TursoCliVersion} (so it never proposes an update), else {@code v0.0.0} (older than any CLI).
 */
@RestController
class ReleaseController {

    private static final String VERSION = "^v?\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?$";

    private final PlatformProperties properties;

    ReleaseController(PlatformProperties properties) {
        this.properties = properties;
    }

    record Latest(String latest) {
    }

    @GetMapping("/releases/latest")
    @io.swagger.v3.oas.annotations.security.SecurityRequirements
    Latest latest(@RequestHeader(value = "TursoCliVersion", required = false) String cliVersion) {
        if (properties.cliRelease() != null) {
            return new Latest(properties.cliRelease());
        }
        if (cliVersion != null && cliVersion.trim().matches(VERSION)) {
            String v = cliVersion.trim();
            return new Latest(v.startsWith("v") ? v : "v" + v);
        }
        return new Latest("v0.0.0");
    }
}
