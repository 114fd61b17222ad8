package dev.libsqlplatform.dataplane.auth;

/**
 * A verified token for one database: which database it opens, whether it may write, and the
 * database's block flags read from the same metadata snapshot the token was checked against.
 *
 * @param readOnly    the token grants read-only access ({@code a: ro}, or only {@code ro}/{@code roa} in {@code p})
 * @param blockReason why the database is blocked, as pushed by the control plane; may be null
 */
public record AuthenticatedCaller(String dbId, boolean readOnly, boolean blockReads, boolean blockWrites,
                                  String blockReason) {

    public AuthenticatedCaller(String dbId, boolean readOnly) {
        this(dbId, readOnly, false, false, null);
    }
}
