package dev.libsqlplatform.dataplane.hrana;

/** A statement-level failure, reported as a Hrana {@code Error} inside the results (HTTP 200). */
final class HranaException extends Exception {
    private final Proto.Error error;

    HranaException(HranaError code, String message) {
        super(message, null, false, false);
        this.error = new Proto.Error(message, code);
    }

    HranaException(Proto.Error error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    Proto.Error error() {
        return error;
    }
}
