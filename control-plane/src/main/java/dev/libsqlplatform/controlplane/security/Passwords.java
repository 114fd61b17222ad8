package dev.libsqlplatform.controlplane.security;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Dashboard passwords (table {@code user_passwords}, migration V20): hashed with Spring Security's delegating encoder
 * (bcrypt), checked with a lock-out after {@code platform.sign-in.max-failures} consecutive failures. Unknown users,
 * users without a password and wrong passwords all fail with the same exception and the same bcrypt work, so a
 * sign-in attempt does not tell whether a username exists (only a lock-out does, after the failures).
 */
@Component
public class Passwords {

    private static final Logger log = LoggerFactory.getLogger(Passwords.class);
    static final int MIN_LENGTH = 12;
    /** bcrypt reads only the first 72 bytes: a longer password would silently be cut. */
    static final int MAX_BYTES = 72;

    private final NamedParameterJdbcTemplate jdbc;
    private final SignInProperties properties;
    private final PlatformProperties platform;
    private final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    /** Compared against when there is no stored hash, so that every failure costs the same bcrypt work. */
    private final String decoy = encoder.encode("decoy-password-for-constant-work");

    Passwords(NamedParameterJdbcTemplate jdbc, SignInProperties properties, PlatformProperties platform) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.platform = platform;
    }

    private record Stored(String userId, String username, String hash, int failedAttempts, Long lockedUntil) {
    }

    /**
     * The caller behind {@code username} and {@code password}. {@link LockedException} while the account is locked
     * (the right password included), {@link BadCredentialsException} for anything else that is wrong.
     */
    @Transactional(noRollbackFor = {BadCredentialsException.class, LockedException.class})
    public Caller signIn(String username, String password) {
        Optional<Stored> found = username == null || username.isBlank() ? Optional.empty() : find(username.trim());
        long now = Ids.now();
        if (found.isPresent() && found.get().lockedUntil() != null && found.get().lockedUntil() > now) {
            throw new LockedException("account locked");
        }
        boolean matches = encoder.matches(password == null ? "" : password, found.map(Stored::hash).orElse(decoy));
        if (found.isEmpty() || !matches) {
            found.ifPresent(s -> recordFailure(s, now));
            throw new BadCredentialsException("wrong username or password");
        }
        Stored s = found.get();
        if (s.failedAttempts() > 0 || s.lockedUntil() != null) {
            jdbc.update("UPDATE user_passwords SET failed_attempts = 0, locked_until = NULL WHERE user_id = :id",
                    Map.of("id", s.userId()));
        }
        return new Caller(s.userId(), s.username(), null, null, null);
    }

    private void recordFailure(Stored s, long now) {
        // one statement, so concurrent failures are all counted
        jdbc.update("UPDATE user_passwords SET failed_attempts = failed_attempts + 1 WHERE user_id = :id",
                Map.of("id", s.userId()));
        Integer failures = jdbc.queryForObject("SELECT failed_attempts FROM user_passwords WHERE user_id = :id",
                Map.of("id", s.userId()), Integer.class);
        if (failures != null && failures >= properties.maxFailures()) {
            jdbc.update("UPDATE user_passwords SET failed_attempts = 0, locked_until = :until WHERE user_id = :id",
                    new MapSqlParameterSource("id", s.userId()).addValue("until", now + properties.lockout().toMillis()));
            log.warn("user {} locked out of the dashboard for {} after {} failed sign-ins", s.username(),
                    properties.lockout(), failures);
        }
    }

    /** Whether the user has a password (a token-signed-in user without one may set it without a current one). */
    public boolean hasPassword(String userId) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM user_passwords WHERE user_id = :id", Map.of("id", userId),
                Integer.class);
        return n != null && n > 0;
    }

    /**
     * Changes the caller's password. The current password is required when one is set (a wrong one is 400
     * {@code bad_request}); the new one must have 12 to 72 bytes; a caller signed in with an organization-bound
     * token is refused (403 {@code token_bound_to_organization}).
     */
    @Transactional
    public void change(Caller caller, String current, String replacement) {
        if (caller.restricted()) {
            // a password opens every organization of the user: an organization-bound token must not be able to set one
            throw ApiError.TOKEN_BOUND_TO_ORGANIZATION.exception("a session opened with an organization-bound API token "
                    + "cannot change the password");
        }
        Optional<Stored> stored = find(caller.username());
        if (stored.isPresent() && !encoder.matches(current == null ? "" : current, stored.get().hash())) {
            throw ApiError.BAD_REQUEST.exception("current password is wrong");
        }
        requireAcceptable(replacement);
        store(caller.userId(), replacement);
        log.info("user {} changed their dashboard password", caller.username());
    }

    static void requireAcceptable(String password) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
            throw ApiError.BAD_REQUEST.exception("the new password needs at least " + MIN_LENGTH + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw ApiError.BAD_REQUEST.exception("the new password may have at most " + MAX_BYTES + " bytes");
        }
    }

    private void store(String userId, String password) {
        MapSqlParameterSource p = new MapSqlParameterSource("id", userId).addValue("hash", encoder.encode(password))
                .addValue("now", Ids.now());
        if (jdbc.update("UPDATE user_passwords SET password_hash = :hash, changed_at = :now, failed_attempts = 0, "
                + "locked_until = NULL WHERE user_id = :id", p) == 0) {
            jdbc.update("INSERT INTO user_passwords (user_id, password_hash, changed_at, failed_attempts) "
                    + "VALUES (:id, :hash, :now, 0)", p);
        }
    }

    /**
     * {@code PLATFORM_ADMIN_PASSWORD}: once the bootstrap has created the administrator, gives it this password when
     * it has none yet. A password changed on the dashboard afterwards is kept across restarts.
     */
    @EventListener(ApplicationStartedEvent.class)
    @Transactional
    public void applyAdminPassword() {
        if (properties.adminPassword() == null) {
            return;
        }
        try {
            requireAcceptable(properties.adminPassword());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("platform.sign-in.admin-password (PLATFORM_ADMIN_PASSWORD): " + e.getMessage());
        }
        List<String> ids = jdbc.queryForList("SELECT id FROM users WHERE username = :u",
                Map.of("u", platform.adminUsername()), String.class);
        if (ids.isEmpty() || hasPassword(ids.get(0))) {
            return;
        }
        store(ids.get(0), properties.adminPassword());
        log.info("dashboard password of administrator {} set from PLATFORM_ADMIN_PASSWORD", platform.adminUsername());
    }

    private Optional<Stored> find(String username) {
        return jdbc.query("SELECT u.id, u.username, p.password_hash, p.failed_attempts, p.locked_until "
                        + "FROM users u JOIN user_passwords p ON p.user_id = u.id WHERE u.username = :u",
                Map.of("u", username), (rs, i) -> new Stored(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getInt(4), rs.getObject(5) == null ? null : rs.getLong(5))).stream().findFirst();
    }
}
