package dev.libsqlplatform.controlplane.apitoken;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A Platform API token; only its SHA-256 hash is stored. {@code expiresAt} null = never. {@code organizationId}
 * null = unrestricted (every organization of the user), else the only organization the token may act in.
 */
@Table("api_tokens")
public record ApiToken(@Id String id, String userId, String name, String kind, String tokenHash, long createdAt,
                       Long expiresAt, String organizationId) {

    public static final String KIND_BOOTSTRAP = "bootstrap";
    public static final String KIND_USER = "user";
}
