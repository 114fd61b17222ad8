package dev.libsqlplatform.dataplane.auth;

/** A verified database token: which database it opens and whether it may write. */
public record AuthenticatedCaller(String dbId, boolean readOnly) {
}
