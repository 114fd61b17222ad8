package dev.libsqlplatform.dataplane.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The engine sandbox switch ({@code platform.worker.sandbox.*}).
 *
 * @param enabled the authorizer, defensive mode, engine limits, statement deadline and temporary-file budget on
 *                every tenant connection (default true). Off only to measure what the checks cost (the benchmark
 *                does); the worker logs a warning at every start without them. Never off on a shared worker.
 */
@ConfigurationProperties(prefix = "platform.worker.sandbox")
public record SandboxProperties(@DefaultValue("true") boolean enabled) {
}
