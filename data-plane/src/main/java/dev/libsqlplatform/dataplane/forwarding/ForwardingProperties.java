package dev.libsqlplatform.dataplane.forwarding;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Request forwarding between workers ({@code platform.worker.forwarding.*}).
 *
 * @param enabled      forward requests for databases hosted elsewhere (default true); off: they answer 401 as an
 *                     unknown database
 * @param routeTtl     how long a route learnt from the control plane is used before asking again (default 5s); a
 *                     failed forward forgets it at once
 * @param missingTtl   how long "no such database" is remembered (default 1s), so unknown names do not reach the
 *                     control plane on every request
 * @param maxRoutes    bound on cached routes (default 100000)
 * @param timeout      request timeout of one forwarded request (default 60s: statements may run long)
 * @param maxLookupsPerSecond questions to the control plane per second at most (default 200); past it, requests for
 *                     databases not hosted here are refused as unknown (401) until the next second
 */
@ConfigurationProperties(prefix = "platform.worker.forwarding")
public record ForwardingProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("5s") Duration routeTtl,
        @DefaultValue("1s") Duration missingTtl,
        @DefaultValue("100000") int maxRoutes,
        @DefaultValue("60s") Duration timeout,
        @DefaultValue("200") int maxLookupsPerSecond) {
}
