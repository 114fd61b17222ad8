package dev.libsqlplatform.dataplane.storage;

/** The storage knobs, copied from the worker properties. */
record StorageSettings(int readers, long busyTimeoutMillis, String synchronous) {
}
