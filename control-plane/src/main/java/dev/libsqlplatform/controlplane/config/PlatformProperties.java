package dev.libsqlplatform.controlplane.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.libsqlplatform.quotas.Plan;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Control plane settings ({@code platform.*}); defaults are those of docs/internals.md.
 *
 * @param dataDir           admin token file and default SQLite metadata file ({@code ./data/control-plane})
 * @param adminToken        accepted as the first administrator's Platform API token (unset: generated on first start)
 * @param adminOrganization slug of the administrator's organization ({@code default})
 * @param adminUsername     administrator's username ({@code admin})
 * @param adminPlan         plan of the administrator's organization, an id of the plan catalog ({@code starter}:
 *                          500 databases, 9 GB;
 *                          {@code unlimited} for operators who meter elsewhere, e.g. the density benchmark)
 * @param baseDomain        database hostnames are {@code <db>-<org>.<base-domain>} ({@code localhost})
 * @param locations         location code → description, in order; the first is the default group's primary
 *                          ({@code local} = "Local workers")
 * @param reconcileInterval reconciler period ({@code 1s})
 * @param workerTimeout     a worker silent this long gets no new databases ({@code 15s})
 * @param workerCallTimeout timeout of one control plane → worker HTTP call ({@code 5s})
 * @param serviceSecret     shared secret with the workers (unset: read or create {@link #serviceSecretFile})
 * @param serviceSecretFile file holding the shared secret ({@code ./data/service-secret})
 * @param cliRelease        what {@code GET /releases/latest} answers (the Turso CLI's update check), e.g.
 *                          {@code v1.0.0}; unset: the version the calling CLI names in its {@code TursoCliVersion}
 *                          header, so the CLI never proposes an update that this platform did not vet
 */
@ConfigurationProperties("platform")
public record PlatformProperties(
        Path dataDir,
        String adminToken,
        String adminOrganization,
        String adminUsername,
        String adminPlan,
        String baseDomain,
        Map<String, String> locations,
        Duration reconcileInterval,
        Duration workerTimeout,
        Duration workerCallTimeout,
        String serviceSecret,
        Path serviceSecretFile,
        String cliRelease) {

    public PlatformProperties {
        dataDir = dataDir != null ? dataDir : Path.of("./data/control-plane");
        adminToken = blankToNull(adminToken);
        adminOrganization = adminOrganization != null && !adminOrganization.isBlank() ? adminOrganization : "default";
        adminUsername = adminUsername != null && !adminUsername.isBlank() ? adminUsername : "admin";
        adminPlan = adminPlan != null && !adminPlan.isBlank() ? adminPlan : Plan.STARTER.id();
        // checked against the plan catalog when it loads (plan.PlanCatalog): an unknown id stops the start
        baseDomain = baseDomain != null && !baseDomain.isBlank() ? baseDomain : "localhost";
        if (locations == null || locations.isEmpty()) {
            locations = new LinkedHashMap<>();
            locations.put("local", "Local workers");
        } else {
            locations = new LinkedHashMap<>(locations);
        }
        reconcileInterval = reconcileInterval != null ? reconcileInterval : Duration.ofSeconds(1);
        workerTimeout = workerTimeout != null ? workerTimeout : Duration.ofSeconds(15);
        workerCallTimeout = workerCallTimeout != null ? workerCallTimeout : Duration.ofSeconds(5);
        serviceSecret = blankToNull(serviceSecret);
        serviceSecretFile = serviceSecretFile != null ? serviceSecretFile : Path.of("./data/service-secret");
        cliRelease = blankToNull(cliRelease);
        if (cliRelease != null && !cliRelease.matches("^v\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?$")) {
            throw new IllegalArgumentException("platform.cli-release: expected a version like v1.0.0, got '" + cliRelease + "'");
        }
    }

    /** The first configured location: the default group's primary location. */
    public String defaultLocation() {
        return locations.keySet().iterator().next();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        // never print secrets
        return "PlatformProperties[dataDir=" + dataDir + ", adminOrganization=" + adminOrganization
                + ", adminUsername=" + adminUsername + ", adminPlan=" + adminPlan + ", baseDomain=" + baseDomain + ", locations=" + locations + "]";
    }
}
