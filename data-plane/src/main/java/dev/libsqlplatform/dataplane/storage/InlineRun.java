package dev.libsqlplatform.dataplane.storage;

/**
 * A run of tenant statements on a thread that must not block: the SQL port's event loop, which serves every
 * connection of its share of clients. Set by the transport around a read-only pipeline it runs in place; storage
 * consults it wherever it would otherwise wait or work long, and instead of waiting it <em>gives up</em>: the
 * current operation fails, and the transport, seeing {@link #gaveUp()}, discards the answer and runs the whole pipeline
 * again on a request thread, where waiting is allowed. Only read-only pipelines on a stream of their own are run this
 * way, so running them again changes nothing but the time they took; and single autocommit writes, when the loop has read
 * from no other connection for a while ({@link #mayLeadWrites}): their group commit is then led right here ({@link GroupCommit#submitAsync}),
 * and a group that gave up committed nothing and is led again from a request thread.
 *
 * <p>Where storage gives up: the database is not open yet (opening costs file I/O and connection set-up), no read
 * connection is idle (taking one waits up to the busy timeout), the writer is wanted, the sandbox is off (nothing would
 * end a long statement), or the run's deadline passes inside a statement (the sandbox's progress handler interrupts it
 * as it does at the statement deadline).
 */
public final class InlineRun {
    private static final ThreadLocal<InlineRun> CURRENT = new ThreadLocal<>();

    private final long deadlineNanos;
    private final boolean mayLeadWrites;
    private String gaveUpBecause;
    private boolean ledWrites;

    private InlineRun(long deadlineNanos, boolean mayLeadWrites) {
        this.deadlineNanos = deadlineNanos;
        this.mayLeadWrites = mayLeadWrites;
    }

    /** Starts a run on this thread that may take until {@code deadlineNanos} ({@link System#nanoTime()} base). */
    public static InlineRun begin(long deadlineNanos) {
        return begin(deadlineNanos, false);
    }

    /**
     * As {@link #begin(long)}; {@code mayLeadWrites}: the thread may also lead a group commit, i.e. block on the
     * writer's statements and the frame log's fsync (but never wait for the writer), because nobody else waits for it.
     */
    public static InlineRun begin(long deadlineNanos, boolean mayLeadWrites) {
        InlineRun run = new InlineRun(deadlineNanos, mayLeadWrites);
        CURRENT.set(run);
        return run;
    }

    /** Whether this run may lead a group commit in place ({@link #begin(long, boolean)}). */
    boolean mayLeadWrites() {
        return mayLeadWrites;
    }

    /** Whether this run led a group commit in place, to its end (it did not give up). */
    public boolean ledWrites() {
        return ledWrites;
    }

    void led() {
        ledWrites = true;
    }

    /** Ends the run begun on this thread. */
    public void end() {
        CURRENT.remove();
    }

    /** Whether some step of the run gave up; its answer must then be discarded. */
    public boolean gaveUp() {
        return gaveUpBecause != null;
    }

    /** Why the run gave up (for logs and tests), or null. */
    public String reason() {
        return gaveUpBecause;
    }

    /** Whether this thread is in a run (it must not block). */
    public static boolean active() {
        return CURRENT.get() != null;
    }

    /** The run of this thread, or null when this thread may block. */
    static InlineRun current() {
        return CURRENT.get();
    }

    /**
     * Records that the run cannot go on without blocking and returns the exception the blocked operation fails with;
     * the transport discards whatever comes of it.
     */
    DatabaseBusyException giveUp(String why) {
        if (gaveUpBecause == null) {
            gaveUpBecause = why;
        }
        return new DatabaseBusyException("moved off the event loop: " + why);
    }

    /** The deadline for a statement starting now: the run's, or now when the run has given up already. */
    long statementDeadline(long statementDeadlineNanos) {
        if (gaveUpBecause != null) {
            return System.nanoTime();
        }
        return Math.min(statementDeadlineNanos, deadlineNanos);
    }

    /** Whether a statement interrupted at its deadline was cut by this run's shorter deadline. */
    boolean cut(long statementDeadlineNanos) {
        return deadlineNanos < statementDeadlineNanos || gaveUpBecause != null;
    }
}
