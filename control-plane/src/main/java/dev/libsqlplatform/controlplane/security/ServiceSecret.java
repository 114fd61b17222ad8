package dev.libsqlplatform.controlplane.security;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import org.springframework.stereotype.Component;

/**
 * The secret shared with workers (docs/internals.md): {@code platform.service-secret}, else the content of
 * {@code platform.service-secret-file}, created when absent. Resolution, file creation and comparison are the
 * contract's {@link dev.libsqlplatform.contract.secret.ServiceSecret}, the same code the workers run, so both sides
 * agree on whitespace and on who wins a creation race; this bean only binds it to the configuration.
 */
@Component
public class ServiceSecret {

    private final dev.libsqlplatform.contract.secret.ServiceSecret secret;

    ServiceSecret(PlatformProperties properties) {
        this.secret = dev.libsqlplatform.contract.secret.ServiceSecret.resolve(properties.serviceSecret(),
                properties.serviceSecretFile());
    }

    public String value() {
        return secret.value();
    }

    /** Constant-time comparison. */
    public boolean matches(String presented) {
        return secret.matches(presented);
    }

    @Override
    public String toString() {
        return "ServiceSecret[****]";
    }
}
