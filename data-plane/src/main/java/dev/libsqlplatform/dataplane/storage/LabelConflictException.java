package dev.libsqlplatform.dataplane.storage;

/** A put would index a database under a hostname label that another database of this worker holds. */
public final class LabelConflictException extends Exception {
    private final String label;
    private final String holderId;

    public LabelConflictException(String label, String holderId, String refusedId) {
        super("hostname label " + label + " is held by database " + holderId + " on this worker; database "
                + refusedId + " cannot use it", null, false, false);
        this.label = label;
        this.holderId = holderId;
    }

    public String label() {
        return label;
    }

    public String holderId() {
        return holderId;
    }
}
