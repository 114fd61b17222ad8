package dev.libsqlplatform.controlplane.security;

/**
 * The authenticated user behind a Platform API request. {@code organizationId}: the only organization the token
 * may act in (an organization-bound API token), null for an unrestricted token.
 */
public record Caller(String userId, String username, String tokenId, Long expiresAtMillis, String organizationId) {

    public boolean restricted() {
        return organizationId != null;
    }
}
