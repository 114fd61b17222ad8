package dev.libsqlplatform.controlplane.plan;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Quota and billing settings ({@code platform.quotas.*}).
 *
 * @param plansFile        JSON plan catalog replacing the built-in {@code plans.json} (unset: the built-in one)
 * @param enforceInterval  how often the quota enforcer recomputes organizations whose usage, plan or databases
 *                         changed ({@code 1s}); blocks and storage caps reach workers one reconcile interval later
 * @param sweepInterval    how often every organization with a block is recomputed even without news, so that a new
 *                         month lifts monthly blocks ({@code 30s}; a month change is also noticed on the next
 *                         enforcer tick)
 */
@ConfigurationProperties("platform.quotas")
public record QuotaProperties(Path plansFile, Duration enforceInterval, Duration sweepInterval) {

    public QuotaProperties {
        enforceInterval = enforceInterval != null ? enforceInterval : Duration.ofSeconds(1);
        sweepInterval = sweepInterval != null ? sweepInterval : Duration.ofSeconds(30);
        if (enforceInterval.isNegative() || enforceInterval.isZero()) {
            throw new IllegalArgumentException("platform.quotas.enforce-interval must be positive");
        }
    }
}
