package dev.libsqlplatform.quotas;

/**
 * Whether an organization's databases must refuse reads and/or writes, and why.
 *
 * @param blockReads  reads must be refused
 * @param blockWrites writes must be refused
 * @param reason      human-readable reason, empty when nothing is blocked
 */
public record BlockDecision(boolean blockReads, boolean blockWrites, String reason) {

    public static final BlockDecision NONE = new BlockDecision(false, false, "");

    public boolean blocksAnything() {
        return blockReads || blockWrites;
    }
}
