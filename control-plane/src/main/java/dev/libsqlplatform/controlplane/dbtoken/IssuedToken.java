package dev.libsqlplatform.controlplane.dbtoken;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * The record of one minted database or group token (never the token): {@code id} is its {@code jti}.
 * {@code status}: active, revoked (jti pushed to workers until {@code expiresAt}), rotated (key replaced).
 */
@Table("issued_tokens")
public record IssuedToken(@Id String id, String organizationId, String kind, String databaseId, String groupId,
                          String subjectName, String access, long createdAt, Long expiresAt, String status,
                          Long revokedAt, String mintedBy) {

    public static final String DATABASE = "database";
    public static final String GROUP = "group";
    public static final String ACTIVE = "active";
    public static final String REVOKED = "revoked";
    public static final String ROTATED = "rotated";
}
