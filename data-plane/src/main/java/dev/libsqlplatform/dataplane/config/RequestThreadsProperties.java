package dev.libsqlplatform.dataplane.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker's HTTP request threads ({@code platform.worker.request-threads.*}); see docs/internals.md and
 * {@code RequestThreads} for why the pool starts at the number of cores.
 *
 * @param base        threads kept while requests keep moving; 0 means one per available processor (default 0)
 * @param max         upper bound while requests starve behind blocked ones (default 200, Tomcat's default)
 * @param starvation  a queued request older than this adds a thread (default 2ms)
 * @param tick        how often the watchdog looks at the queue (default 1ms)
 */
@ConfigurationProperties(prefix = "platform.worker.request-threads")
public record RequestThreadsProperties(
        @DefaultValue("0") int base,
        @DefaultValue("200") int max,
        @DefaultValue("2ms") Duration starvation,
        @DefaultValue("1ms") Duration tick) {

    public RequestThreadsProperties {
        if (base < 0 || max < 1 || starvation.isNegative() || tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("platform.worker.request-threads: need base >= 0, max >= 1 and a"
                    + " positive tick; got base " + base + ", max " + max + ", tick " + tick);
        }
    }

    /** The base size actually used: {@code base}, or the number of available processors, never above max. */
    public int effectiveBase() {
        int b = base == 0 ? Runtime.getRuntime().availableProcessors() : base;
        return Math.max(1, Math.min(b, max));
    }
}
