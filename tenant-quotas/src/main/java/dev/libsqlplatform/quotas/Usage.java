package dev.libsqlplatform.quotas;

/**
 * What an organization has used in the current window, as the quota decisions need it.
 */
public record Usage(long storageBytes, long rowsRead, long rowsWritten, long bytesSynced) {

    public static final Usage NONE = new Usage(0, 0, 0, 0);

    public Usage {
        if (storageBytes < 0 || rowsRead < 0 || rowsWritten < 0 || bytesSynced < 0) {
            throw new IllegalArgumentException("usage must not be negative");
        }
    }
}
