package dev.libsqlplatform.controlplane.database;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Platform API serving ({@code platform.api.*}; README, Configuration).
 *
 * @param fastGet serve {@code GET /v1/organizations/{org}/databases/{db}} from {@link DatabaseGetValve}, before the
 *                servlet filters and Spring MVC ({@code true}); {@code false} sends it through them like every other
 *                route. Same answers either way; see {@link DatabaseGetFastPath}
 */
@ConfigurationProperties("platform.api")
record FastGetProperties(Boolean fastGet) {

    FastGetProperties {
        fastGet = fastGet == null || fastGet;
    }
}
