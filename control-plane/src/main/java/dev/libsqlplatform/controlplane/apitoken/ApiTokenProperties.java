package dev.libsqlplatform.controlplane.apitoken;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Platform API token authentication ({@code platform.api-tokens.*}; README, Configuration).
 *
 * @param revocationPoll how stale this control plane's copy of the revocation epoch may get ({@code 1s}): a token
 *                       revoked through this control plane is refused at its next request; one revoked through
 *                       another control plane sharing the PostgreSQL store is refused here at most this long after
 *                       the revocation committed. {@code 0} reads the epoch on every request (the behaviour before
 *                       session 6: immediate everywhere, one more query per request)
 */
@ConfigurationProperties("platform.api-tokens")
record ApiTokenProperties(Duration revocationPoll) {

    ApiTokenProperties {
        revocationPoll = revocationPoll != null ? revocationPoll : Duration.ofSeconds(1);
        if (revocationPoll.isNegative()) {
            throw new IllegalArgumentException("platform.api-tokens.revocation-poll must not be negative, got "
                    + revocationPoll);
        }
    }
}
