package dev.libsqlplatform.controlplane.apitoken;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Authenticated Platform API tokens by hash, so a request costs one primary-key read of {@code api_token_epoch}
 * instead of the token and user lookups. Immediate revocation, on every control plane: whatever ends tokens bumps
 * the epoch in its own transaction ({@link #revoked}); a request that reads another epoch than its entry was made
 * under looks the token up again. An entry made concurrently with a revocation carries the older epoch, so it is
 * never used after the revocation committed.
 */
@Component
class TokenCache {

    private static final int MAX_ENTRIES = 10_000;

    private final JdbcClient jdbc;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private record Entry(Optional<Caller> caller, long epoch) {
    }

    TokenCache(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The caller of the token with hash {@code hash}, from the cache or {@code lookup}; expiry checked every time. */
    Optional<Caller> authenticate(String hash, Supplier<Optional<Caller>> lookup) {
        long epoch = epoch();
        Entry e = entries.get(hash);
        if (e == null || e.epoch() != epoch) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            e = new Entry(lookup.get(), epoch);
            if (e.caller().isPresent()) {
                // unknown tokens are not kept: random guesses must not fill the cache
                entries.put(hash, e);
            }
        }
        return e.caller().filter(c -> c.expiresAtMillis() == null || c.expiresAtMillis() > Ids.now());
    }

    /** Call in the transaction that deletes or replaces tokens. */
    void revoked() {
        jdbc.sql("UPDATE api_token_epoch SET epoch = epoch + 1 WHERE id = 1").update();
    }

    private long epoch() {
        return jdbc.sql("SELECT epoch FROM api_token_epoch WHERE id = 1").query(Long.class).single();
    }
}
