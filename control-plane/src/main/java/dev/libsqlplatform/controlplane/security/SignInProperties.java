package dev.libsqlplatform.controlplane.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Dashboard sign-in ({@code platform.sign-in.*}).
 *
 * @param adminPassword the first administrator's password, applied at start when that user has none yet
 *                      ({@code PLATFORM_ADMIN_PASSWORD}; unset: the administrator signs in with the admin token and
 *                      sets a password on the account page)
 * @param maxFailures   consecutive wrong passwords that lock an account ({@code 5})
 * @param lockout       how long a locked account refuses every password, the right one included ({@code 15m})
 */
@ConfigurationProperties("platform.sign-in")
public record SignInProperties(String adminPassword, Integer maxFailures, Duration lockout) {

    public SignInProperties {
        adminPassword = adminPassword == null || adminPassword.isBlank() ? null : adminPassword;
        maxFailures = maxFailures != null ? maxFailures : 5;
        if (maxFailures < 1) {
            throw new IllegalArgumentException("platform.sign-in.max-failures must be at least 1");
        }
        lockout = lockout != null ? lockout : Duration.ofMinutes(15);
    }

    @Override
    public String toString() {
        return "SignInProperties[maxFailures=" + maxFailures + ", lockout=" + lockout + "]";
    }
}
