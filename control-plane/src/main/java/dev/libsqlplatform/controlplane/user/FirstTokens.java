package dev.libsqlplatform.controlplane.user;

/**
 * Issues a new user's first Platform API token ({@code POST /v1/users}); implemented by {@code apitoken}, which
 * depends on this module for users, so the dependency may not run the other way.
 */
public interface FirstTokens {

    /** A new token named {@code name} for the user; the value, shown once. */
    String issueFirst(String userId, String name);
}
