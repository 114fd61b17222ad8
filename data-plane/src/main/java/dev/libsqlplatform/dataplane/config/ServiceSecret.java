package dev.libsqlplatform.dataplane.config;

import org.springframework.stereotype.Component;

/**
 * The service secret (never logged), resolved once at start from the env/property or the shared file. Resolution,
 * file creation and comparison are the contract's {@link dev.libsqlplatform.contract.secret.ServiceSecret}, the
 * same code the control plane runs, so both sides agree on whitespace and on who wins a creation race.
 */
@Component
public final class ServiceSecret {
    private final dev.libsqlplatform.contract.secret.ServiceSecret secret;

    ServiceSecret(ServiceSecretProperties props) {
        this.secret = dev.libsqlplatform.contract.secret.ServiceSecret.resolve(props.serviceSecret(),
                props.serviceSecretFile());
    }

    /** The secret as sent in {@code Authorization: Bearer}. */
    public String value() {
        return secret.value();
    }

    /** Constant-time check of a presented secret. */
    public boolean matches(String presented) {
        return secret.matches(presented);
    }

    @Override
    public String toString() {
        return "ServiceSecret[****]";
    }
}
