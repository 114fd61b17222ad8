package dev.libsqlplatform.controlplane.dbtoken;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** One Ed25519 key pair of a group (signs group tokens); {@code id} is the JWT {@code kid}. Encoded as {@link DatabaseKey}. */
@Table("group_keys")
public record GroupKey(@Id String id, String groupId, String publicKey, String privateKey, long createdAt) {
}
