package dev.libsqlplatform.dataplane.storage;

/**
 * The storage knobs, copied from the worker properties.
 *
 * @param engineLimits          (SQLITE_LIMIT_* id, value) pairs applied to every tenant connection
 * @param statementTimeoutNanos a tenant statement running longer is interrupted
 * @param maxTempBytes          temporary-file budget of a connection whose database has no size limit
 * @param sandbox               false only to measure the sandbox's cost: connections are not hardened
 * @param replication           keep a frame log per database (false only to measure what it costs)
 * @param checkpointFrames      WAL frames after which the writer checkpoints (once they are logged)
 * @param maxLogFrames          frames the log keeps after its snapshot before it is compacted into a new one
 */
record StorageSettings(int readers, long busyTimeoutMillis, String synchronous, int[] engineLimits,
                       long statementTimeoutNanos, long maxTempBytes, boolean sandbox, boolean replication,
                       int checkpointFrames, long maxLogFrames) {

    /** Replication on, with the default checkpoint and compaction thresholds. */
    StorageSettings(int readers, long busyTimeoutMillis, String synchronous, int[] engineLimits,
                    long statementTimeoutNanos, long maxTempBytes, boolean sandbox) {
        this(readers, busyTimeoutMillis, synchronous, engineLimits, statementTimeoutNanos, maxTempBytes, sandbox, true,
                1000, 16384);
    }
}
