package dev.libsqlplatform.controlplane.dbtoken;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One Ed25519 key pair of a database; {@code id} is the JWT {@code kid}. {@code publicKey} is base64url of the raw
 * 32 bytes, {@code privateKey} base64url of PKCS#8. The private key is stored in plain text in the metadata store
 * for now — to be encrypted at rest (key-encryption key outside the database).
 */
@Table("database_keys")
public record DatabaseKey(@Id String id, String databaseId, String publicKey, String privateKey, long createdAt) {
}
