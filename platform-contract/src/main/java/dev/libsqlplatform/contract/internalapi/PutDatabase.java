package dev.libsqlplatform.contract.internalapi;

import java.util.List;

/**
 * The body of {@code PUT /internal/v1/databases/{dbId}} (docs/internals.md; full sample
 * {@code docs/contracts/worker-put-database.json}). The control plane writes every component on every PUT; the
 * worker stores them all in the database's {@code meta.json}. Components are boxed so that the worker can tell an
 * absent field from a zero/false one (absent means 0, false or empty there).
 *
 * <p>Component order is the JSON field order the control plane writes.
 *
 * @param groupId         the database's group; group tokens ({@code gid}) are valid for it
 * @param maxBytes        storage cap of the database ({@code PRAGMA max_page_count}); 0 or absent = unlimited
 * @param keys            public keys a token for this database may be signed with
 * @param revokedTokenIds {@code jti} of revoked, unexpired tokens of the database AND of its group
 * @param blockReason     shown by the worker in its BLOCKED errors; null when nothing is blocked
 * @param allowedIps      IP literals or CIDR ranges allowed to use the database; absent or empty = every address
 * @param storageLimitReason non-null when {@code maxBytes} is what the organization's storage quota leaves this
 *                        database (not its own size limit): a write that needs more storage then fails with
 *                        {@code BLOCKED} and this message instead of {@code SQLITE_FULL}
 */
public record PutDatabase(String name, String organization, String groupId, Long maxBytes, List<Key> keys,
                          List<String> revokedTokenIds, Boolean blockReads, Boolean blockWrites, String blockReason,
                          List<String> allowedIps, String storageLimitReason) {

    /** The worker's answer to PUT and DELETE: {@code {"id": "...", "state": "ready"|"deleted"}}. */
    public record State(String id, String state) {
        public static final String READY = "ready";
        public static final String DELETED = "deleted";
    }

    /**
     * One public key: base64url (no padding) of the raw 32-byte Ed25519 key.
     *
     * @param scope {@link #SCOPE_DATABASE} (also when absent) or {@link #SCOPE_GROUP}: a database token ({@code id})
     *              verifies only with database keys, a group token ({@code gid}) only with group keys
     */
    public record Key(String kid, String publicKey, String scope) {
        public static final String SCOPE_DATABASE = "database";
        public static final String SCOPE_GROUP = "group";

        /** The scope as the worker applies it: absent or blank is {@link #SCOPE_DATABASE}. */
        public String effectiveScope() {
            return scope == null || scope.isBlank() ? SCOPE_DATABASE : scope;
        }

        /** Whether {@link #effectiveScope()} is one of the two known scopes. */
        public boolean hasKnownScope() {
            String s = effectiveScope();
            return s.equals(SCOPE_DATABASE) || s.equals(SCOPE_GROUP);
        }
    }
}
