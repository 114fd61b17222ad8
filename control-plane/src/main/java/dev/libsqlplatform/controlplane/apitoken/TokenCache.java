package dev.libsqlplatform.controlplane.apitoken;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Authenticated Platform API tokens by hash, so that a request costs no query at all for its token. Whatever ends
 * tokens calls {@link #revoked} in its own transaction, which does two things:
 * <ul>
 *   <li>bumps this control plane's <em>generation</em> once the transaction committed: every entry made before is
 *   dropped, so a token revoked through this control plane is refused at its very next request (the revoking call
 *   answers only after the bump);</li>
 *   <li>bumps the shared {@code api_token_epoch} row in the transaction, which the other control planes on the same
 *   PostgreSQL store read at most every {@link ApiTokenProperties#revocationPoll} (1 s by default): a token revoked
 *   through another control plane is refused here at most that long after the revocation committed.</li>
 * </ul>
 * An entry records the generation and epoch seen <em>before</em> its lookup started, so a lookup that raced a
 * revocation (it read the token still present) carries the older values and is never used after the revocation is
 * seen. Reading the epoch on every request cost a query per request (session 5); {@code revocation-poll: 0} restores
 * that.
 */
@Component
class TokenCache {

    private static final int MAX_ENTRIES = 10_000;

    private final JdbcClient jdbc;
    private final long pollNanos;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicReference<Epoch> epoch =
            new java.util.concurrent.atomic.AtomicReference<>(new Epoch(Long.MIN_VALUE, 0));

    private record Entry(Optional<Caller> caller, long generation, long epoch) {
    }

    /** The shared epoch as last read, and when ({@link System#nanoTime}). */
    private record Epoch(long value, long readAt) {
    }

    TokenCache(JdbcClient jdbc, ApiTokenProperties properties) {
        this.jdbc = jdbc;
        this.pollNanos = properties.revocationPoll().toNanos();
    }

    /** The caller of the token with hash {@code hash}, from the cache or {@code lookup}; expiry checked every time. */
    Optional<Caller> authenticate(String hash, Supplier<Optional<Caller>> lookup) {
        long gen = generation.get();
        long current = epoch();
        Entry e = entries.get(hash);
        if (e == null || e.generation() != gen || e.epoch() != current) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            e = new Entry(lookup.get(), gen, current);
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
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    generation.incrementAndGet();
                }
            });
        } else {
            generation.incrementAndGet();
        }
    }

    /** The shared epoch, read again when the copy is older than the poll bound. */
    private long epoch() {
        Epoch known = epoch.get();
        long now = System.nanoTime();
        if (pollNanos > 0 && known.value() != Long.MIN_VALUE && now - known.readAt() < pollNanos) {
            return known.value();
        }
        long value = jdbc.sql("SELECT epoch FROM api_token_epoch WHERE id = 1").query(Long.class).single();
        // the epoch only grows: a slower concurrent read must not put back an older value (entries of before a
        // revocation would match again)
        return epoch.accumulateAndGet(new Epoch(value, now),
                (a, b) -> b.value() > a.value() || (b.value() == a.value() && b.readAt() - a.readAt() > 0) ? b : a)
                .value();
    }
}
