package dev.libsqlplatform.controlplane.security;

/** The authenticated user behind a Platform API request. */
public record Caller(String userId, String username, String tokenId, Long expiresAtMillis) {
}
