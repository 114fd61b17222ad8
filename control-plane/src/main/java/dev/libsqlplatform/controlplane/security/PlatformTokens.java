package dev.libsqlplatform.controlplane.security;

import java.util.Optional;

/**
 * What the bearer filter needs from the module that stores Platform API tokens (implemented by {@code apitoken}).
 * Owned here so that security, which every module depends on for {@link Caller}, depends on no feature module.
 */
public interface PlatformTokens {

    /** The caller owning this bearer token, when it exists and has not expired. */
    Optional<Caller> authenticate(String bearer);

    /** Whether token {@code tokenId} still exists and has not expired (a dashboard session opened with it ends otherwise). */
    boolean active(String tokenId);
}
