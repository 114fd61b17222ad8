package dev.libsqlplatform.dataplane.move;

/** A move step that cannot succeed as asked (answered {@code 409 MOVE_FAILED}). */
public class MoveException extends Exception {
    public MoveException(String message) {
        super(message, null, false, false);
    }
}
