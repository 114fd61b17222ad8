package dev.libsqlplatform.dataplane.config;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Shared secret between control plane and workers ({@code platform.*}).
 *
 * @param serviceSecret     the secret itself (env PLATFORM_SERVICE_SECRET); when unset the file is used
 * @param serviceSecretFile file holding the secret, created (mode 0600) by the first process to start
 *                          (default {@code ./data/service-secret})
 */
@ConfigurationProperties(prefix = "platform")
public record ServiceSecretProperties(
        String serviceSecret,
        @DefaultValue("./data/service-secret") Path serviceSecretFile) {
}
