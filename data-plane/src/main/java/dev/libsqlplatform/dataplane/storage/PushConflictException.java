package dev.libsqlplatform.dataplane.storage;

/** A pushed transaction does not extend the database's history: the primary committed after the replica's base. */
public final class PushConflictException extends Exception {
    private final long lastCommitFrameNo;

    PushConflictException(long lastCommitFrameNo) {
        super("the primary's history moved on (its last commit is frame " + lastCommitFrameNo + ")", null, false,
                false);
        this.lastCommitFrameNo = lastCommitFrameNo;
    }

    /** The primary's last commit frame when the push was refused. */
    public long lastCommitFrameNo() {
        return lastCommitFrameNo;
    }
}
