package dev.libsqlplatform.dataplane.storage;

import java.util.List;

/**
 * What the control plane pushed about a database; kept in {@code meta.json} next to its file so the
 * worker serves SQL when the control plane is down.
 */
public record DatabaseMeta(String id, String name, String organization, long maxBytes, List<Key> keys,
                           List<String> revokedTokenIds, boolean blockReads, boolean blockWrites) {

    public DatabaseMeta {
        keys = keys == null ? List.of() : List.copyOf(keys);
        revokedTokenIds = revokedTokenIds == null ? List.of() : List.copyOf(revokedTokenIds);
    }

    /** An Ed25519 public key: base64url of the raw 32 bytes. */
    public record Key(String kid, String publicKey) {
    }

    /** Host label {@code <name>-<organization>}. */
    public String label() {
        return (name + "-" + organization).toLowerCase(java.util.Locale.ROOT);
    }
}
