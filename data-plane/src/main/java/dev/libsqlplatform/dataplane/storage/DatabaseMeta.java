package dev.libsqlplatform.dataplane.storage;

import java.util.List;

/**
 * What the control plane pushed about a database; kept in {@code meta.json} next to its file so the
 * worker serves SQL when the control plane is down. Fields added later ({@code groupId}, key
 * {@code scope}, {@code blockReason}, {@code allowedIps}) are absent from older files and load as
 * null / empty.
 *
 * @param groupId     the database's group (group tokens with this {@code gid} are accepted); may be null
 * @param blockReason why reads/writes are blocked, shown in BLOCKED errors; may be null
 * @param allowedIps  IP addresses or CIDR ranges allowed to use the database; empty = every address
 * @param storageLimitReason non-null when {@code maxBytes} is the organization's storage quota: writes past it answer
 *                    BLOCKED with this reason (absent from files written before issue 13)
 */
public record DatabaseMeta(String id, String name, String organization, long maxBytes, List<Key> keys,
                           List<String> revokedTokenIds, boolean blockReads, boolean blockWrites,
                           String groupId, String blockReason, List<String> allowedIps, String storageLimitReason) {

    public static final String SCOPE_DATABASE = "database";
    public static final String SCOPE_GROUP = "group";

    public DatabaseMeta {
        keys = keys == null ? List.of() : List.copyOf(keys);
        revokedTokenIds = revokedTokenIds == null ? List.of() : List.copyOf(revokedTokenIds);
        allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
    }

    /** Before issue 4: no group, no block reason, every address allowed. */
    public DatabaseMeta(String id, String name, String organization, long maxBytes, List<Key> keys,
                        List<String> revokedTokenIds, boolean blockReads, boolean blockWrites) {
        this(id, name, organization, maxBytes, keys, revokedTokenIds, blockReads, blockWrites, null, null, null, null);
    }

    /** Before issue 13: no storage quota reason. */
    public DatabaseMeta(String id, String name, String organization, long maxBytes, List<Key> keys,
                        List<String> revokedTokenIds, boolean blockReads, boolean blockWrites, String groupId,
                        String blockReason, List<String> allowedIps) {
        this(id, name, organization, maxBytes, keys, revokedTokenIds, blockReads, blockWrites, groupId, blockReason,
                allowedIps, null);
    }

    /**
     * An Ed25519 public key: base64url of the raw 32 bytes, with its scope: {@code database} (verifies
     * database tokens, the default when absent) or {@code group} (verifies group tokens).
     */
    public record Key(String kid, String publicKey, String scope) {
        public Key {
            scope = scope == null || scope.isBlank() ? SCOPE_DATABASE : scope;
        }

        public Key(String kid, String publicKey) {
            this(kid, publicKey, null);
        }

        public boolean isGroupKey() {
            return SCOPE_GROUP.equals(scope);
        }
    }

    /** Host label {@code <name>-<organization>}: the contract's one rule. */
    public String label() {
        return dev.libsqlplatform.contract.hostname.HostnameLabel.of(name, organization);
    }
}
