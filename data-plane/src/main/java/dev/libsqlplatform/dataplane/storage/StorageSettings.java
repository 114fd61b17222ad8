package dev.libsqlplatform.dataplane.storage;

/**
 * The storage knobs, copied from the worker properties.
 *
 * @param engineLimits          (SQLITE_LIMIT_* id, value) pairs applied to every tenant connection
 * @param statementTimeoutNanos a tenant statement running longer is interrupted
 * @param maxTempBytes          temporary-file budget of a connection whose database has no size limit
 * @param sandbox               false only to measure the sandbox's cost: connections are not hardened
 */
record StorageSettings(int readers, long busyTimeoutMillis, String synchronous, int[] engineLimits,
                       long statementTimeoutNanos, long maxTempBytes, boolean sandbox) {
}
