package dev.libsqlplatform.dataplane.storage;

/** A statement's rows would exceed what one request may hold in memory ({@link ResultBudget}). */
public final class ResultTooLargeException extends Exception {
    ResultTooLargeException(String message) {
        super(message, null, false, false);
    }
}
