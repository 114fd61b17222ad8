package dev.libsqlplatform.controlplane.placement;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Moving databases off a draining worker ({@code platform.drain.*}; README, Configuration).
 *
 * @param copyTimeout how long one copy call to the target may take (the bulk copy of the largest database; the
 *                    final catch-up after the fence is short) ({@code 10m}); a move's lease is this plus a minute, so
 *                    another control plane takes over a move only after its driver can no longer be inside a call
 * @param parallel    moves under way at once (planned, then stepped one after the other each reconcile round)
 *                    ({@code 4})
 * @param straySweep  how often every worker's databases are listed to find copies not routed to it ({@code 5m});
 *                    a worker that registers or comes back is swept at once ({@link StrayCopies})
 */
@ConfigurationProperties("platform.drain")
record DrainProperties(Duration copyTimeout, Integer parallel, Duration straySweep) {

    DrainProperties {
        straySweep = straySweep != null && !straySweep.isNegative() && !straySweep.isZero() ? straySweep : Duration.ofMinutes(5);
        copyTimeout = copyTimeout != null ? copyTimeout : Duration.ofMinutes(10);
        parallel = parallel != null && parallel > 0 ? parallel : 4;
    }

    Duration lease() {
        return copyTimeout.plusMinutes(1);
    }
}
