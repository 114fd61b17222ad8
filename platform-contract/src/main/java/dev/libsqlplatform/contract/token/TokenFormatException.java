package dev.libsqlplatform.contract.token;

/** A token that is not a compact JWS with JSON header and payload; the message is safe to show to the client. */
public final class TokenFormatException extends Exception {
    public TokenFormatException(String message) {
        // no stack trace: thrown for every malformed token a client sends, and the message says it all
        super(message, null, false, false);
    }
}
