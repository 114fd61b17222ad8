package dev.libsqlplatform.dataplane.storage;

import java.sql.SQLException;

/** A tenant statement stopped by the sandbox rather than by SQL semantics: the engine said why. */
public final class SandboxException extends SQLException {
    /** What stopped the statement. */
    public enum Reason {
        /** The authorizer refused a pragma, function, module or ATTACH. */
        DENIED,
        /** The statement ran past the statement timeout and was interrupted. */
        TIMED_OUT,
        /** The connection's temporary files would have grown past their budget. */
        TEMP_FULL,
        /** The statement was interrupted from outside: its client left, its stream expired, the worker stops. */
        CANCELLED
    }

    private final Reason reason;

    SandboxException(Reason reason, String message, SQLException cause) {
        super(message, cause == null ? null : cause.getSQLState(), cause == null ? 0 : cause.getErrorCode(), cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
