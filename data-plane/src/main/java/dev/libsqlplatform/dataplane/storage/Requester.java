package dev.libsqlplatform.dataplane.storage;

/**
 * Who asked for the statements the current thread runs: set by the transport for the length of a request,
 * opaque to storage. A statement records it when it begins, so something watching long-running statements
 * (the transport's client watch) can tell whose they are without storage knowing about HTTP.
 */
public final class Requester {
    private static final ThreadLocal<Object> CURRENT = new ThreadLocal<>();

    private Requester() {
    }

    public static void set(Object who) {
        CURRENT.set(who);
    }

    public static void clear() {
        CURRENT.remove();
    }

    static Object current() {
        return CURRENT.get();
    }

    /** A statement that has run for a while, with the requester it was started for. */
    @FunctionalInterface
    public interface RunningVisitor {
        void visit(DbConnection connection, Object requester);
    }
}
