package dev.libsqlplatform.dataplane.storage;

/**
 * The tenant sandbox inside the SQLite engine ({@code src/main/native/tenant_sandbox.c}, linked into the
 * worker's own sqlite-jdbc native library by {@link SqliteEngine}). A guard is a native pointer, one per
 * connection, freed after the connection is closed.
 */
final class NativeSandbox {
    private NativeSandbox() {
    }

    /** Raised since {@link #enter}: the statement deadline passed (the statement was interrupted). */
    static final int TIMED_OUT = 1;
    /** Raised since {@link #enter}: a temporary file would have grown past the connection's budget. */
    static final int TEMP_FULL = 2;
    /** Raised since {@link #enter}: the authorizer refused something ({@link #denial} says what). */
    static final int DENIED = 4;

    /** {@code sqlite3_libversion()} of the engine; an UnsatisfiedLinkError means the stock library is loaded. */
    static native String engineVersion();

    /** Sets the process-wide policy (from {@code sql.SqlPolicy}) and installs the temporary-file VFS shim. */
    static native int configure(String[] readablePragmas, String[] readableWithArgument, String[] settablePragmas,
                                String[] deniedFunctions, String[] allowedModules);

    /**
     * Hardens an open connection (defensive mode, no extensions, no attach create/write, authorizer, progress
     * handler) and applies {@code limits}, pairs of (SQLITE_LIMIT_* id, value). {@code nativeDb} is sqlite-jdbc's
     * {@code org.sqlite.core.NativeDB}. Returns the guard.
     */
    static native long install(Object nativeDb, int[] limits);

    /** Off while the platform itself runs maintenance statements on the connection. */
    static native void setEnforcing(long guard, boolean on);

    /**
     * Before a tenant statement is prepared or stepped on this thread: its deadline ({@link System#nanoTime()}
     * base, 0 = none) and the byte budget of the connection's temporary files; clears the flags.
     */
    static native void enter(long guard, long deadlineNanos, long tempLimitBytes);

    /**
     * After the statement: clears the deadline and returns, packed in one long, the flags raised since {@link #enter}
     * ({@link #flags}) and, when {@code stmt} (a sqlite3_stmt pointer) is not 0, the rows it scanned since the previous
     * count, which resets it ({@link #rowsScanned}): the sum of {@code SQLITE_SCANSTAT_NVISIT} over its loops, SQLite's
     * own tables excluded. One JNI call per statement for both (a second one for the counters cost CPU on every read).
     */
    static native long leave(long guard, long stmt);

    /** The flags part of what {@link #leave} returned. */
    static int flags(long left) {
        return (int) (left & 0xFF);
    }

    /** The rows-scanned part of what {@link #leave} returned. */
    static long rowsScanned(long left) {
        return left >>> 8;
    }

    /** Why the authorizer refused, or null. */
    static native String denial(long guard);

    /** Bytes of temporary files the connection holds now. */
    static native long tempBytes(long guard);

    static native void release(long guard);
}
