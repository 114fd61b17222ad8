package dev.libsqlplatform.dataplane.hrana;

/** A statement-level failure, reported as a Hrana {@code Error} inside the results (HTTP 200). */
final class HranaException extends Exception {
    private final Proto.Error error;

    HranaException(String message, String code) {
        super(message, null, false, false);
        this.error = new Proto.Error(message, code);
    }

    Proto.Error error() {
        return error;
    }
}
