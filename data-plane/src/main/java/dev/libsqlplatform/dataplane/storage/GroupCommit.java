package dev.libsqlplatform.dataplane.storage;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for autocommit writes of one database: statements that arrive while the writer is busy are
 * run by one thread (the leader) inside a single transaction, so N concurrent autocommit INSERTs cost one
 * flush instead of N (the frame log's fsync, one capture per group; the WAL's fsync when the log is off). Every caller still gets its own result or error, and gets it only after the
 * COMMIT that made its statement durable.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A statement's effects are either committed in its group or rolled back completely: when any statement
 *       of a group fails (or the COMMIT does), the whole group is rolled back and every statement of it is run
 *       again alone, in autocommit, as it would have run without grouping. A failing statement therefore never
 *       takes its neighbours down, and no statement runs twice with effect.</li>
 *   <li>At most one leader per database at a time; it holds the writer permit only while it runs a group, so
 *       interactive transactions and other writers keep their turn in the permit's FIFO order.</li>
 *   <li>A leader runs one group and hands leadership on: to the oldest waiting statement's thread, or, when only
 *       asynchronous statements ({@link #submitAsync}) are queued, to a task on their executor. A group takes the
 *       whole queue, so no client waits for other clients' statements beyond the group that contains its own.</li>
 * </ul>
 * Waiting followers count as {@link BlockedWaits}: the request pool adds threads instead of starving.
 */
public final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** One statement's work on the writer connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(DbConnection writer) throws Exception;
    }

    /** What an asynchronous caller is told once its group committed (or failed): exactly one of the two is set. */
    @FunctionalInterface
    public interface Done<T> {
        void accept(T result, Exception error);
    }

    private static final class Pending<T> {
        final Work<T> work;
        /** The caller's thread, null for an asynchronous caller: only it is woken when its statement is done or it leads next. */
        final Thread waiter;
        /** An asynchronous caller's continuation; null for a waiting caller. */
        final Done<T> then;
        /** Where an asynchronous caller's statement is led from when it heads the queue and nobody waits to lead. */
        final Executor leaders;
        T result;
        Exception error;
        /** Written after result and error, read before them: volatile orders the two. */
        volatile boolean done;
        volatile boolean promoted;

        Pending(Work<T> work) {
            this.work = work;
            this.waiter = Thread.currentThread();
            this.then = null;
            this.leaders = null;
        }

        Pending(Work<T> work, Done<T> then, Executor leaders) {
            this.work = work;
            this.waiter = null;
            this.then = then;
            this.leaders = leaders;
        }

        void tell() {
            try {
                then.accept(result, error);
            } catch (RuntimeException e) {
                log.warn("a grouped write's continuation failed: {}", e.toString());
            }
        }

        void runAlone(DbConnection w) {
            try {
                result = work.run(w);
                error = null;
            } catch (Exception e) {
                result = null;
                error = e;
            }
        }
    }

    private final OpenDatabase db;
    private final BlockedWaits blockedWaits;
    private final ArrayDeque<Pending<?>> queue = new ArrayDeque<>();
    private boolean leading;

    GroupCommit(OpenDatabase db, BlockedWaits blockedWaits) {
        this.db = db;
        this.blockedWaits = blockedWaits;
    }

    /**
     * Runs {@code work} on the writer in autocommit semantics, possibly grouped with concurrent callers.
     * Throws what the work threw, {@link DatabaseBusyException} when the writer stayed busy, or the
     * {@link SQLException} of opening the writer.
     */
    public <T> T submit(Work<T> work) throws Exception {
        Pending<T> me = new Pending<>(work);
        if (!enqueue(me)) {
            awaitTurn(me);
        }
        if (!me.done) {
            lead();
        }
        if (me.error != null) {
            throw me.error;
        }
        return me.result;
    }

    /**
     * As {@link #submit}, without holding the calling thread while the statement waits for its group: {@code then} is
     * called once the group that holds it committed (made durable) or failed, on the thread that led that group. When
     * no group is running, the caller leads one at once, on its own thread, unless it is in an {@link InlineRun} (it
     * must not block): then a task on {@code leaders} leads it, or, when the run may lead writes and the writer is
     * free right now, the caller leads it in place after all ({@link #leadInline}). A group that follows one with only such
     * callers in it is led from {@code leaders} (a waiting caller, when there is one, leads it instead: it takes the
     * whole queue). So N concurrent writes cost one thread wake-up per group, not one per statement.
     */
    public <T> void submitAsync(Work<T> work, Done<T> then, Executor leaders) {
        if (!enqueue(new Pending<>(work, then, leaders))) {
            return;
        }
        InlineRun inline = InlineRun.current();
        if (inline == null) {
            lead();
            return;
        }
        // a thread that must not block (the SQL port's event loop) leads only when nobody else waits for it; otherwise
        // a group's fsync would stall every connection it serves. Nobody led, so the queue is this statement alone
        // (and whatever joined since) until the task runs.
        if (!inline.mayLeadWrites() || !leadInline(inline)) {
            dispatch(leaders);
        }
    }

    /**
     * Leads one group on a thread in an {@link InlineRun} that may lead writes: false, nothing done, when the writer is
     * not free right now (or would need long work first, {@link OpenDatabase#writerIfFree}). Its statements run under
     * the run's deadline; when the run gave up (a statement outlasted it, or the sandbox is off), nothing of the group
     * was committed: an interrupted statement rolls back, and after a give-up every statement is cut at once. The
     * group then goes back to the head of the queue, untold, and is led from a request thread.
     */
    private boolean leadInline(InlineRun inline) {
        DbConnection w;
        try {
            w = db.writerIfFree();
        } catch (SQLException | RuntimeException e) {
            return false; // the request thread's lead meets the same failure and tells the group
        }
        if (w == null) {
            return false;
        }
        List<Pending<?>> group = take();
        try {
            runGroupOn(w, group);
        } catch (RuntimeException e) {
            failAll(group, e);
        } finally {
            if (inline.gaveUp()) {
                again(group);
            } else {
                inline.led();
                finish(group);
            }
        }
        return true;
    }

    /** Puts a group that gave up on the event loop back at the head of the queue, untold, and hands its lead on. */
    private void again(List<Pending<?>> group) {
        Pending<?> next;
        synchronized (this) {
            for (int i = group.size() - 1; i >= 0; i--) {
                Pending<?> p = group.get(i);
                p.result = null;
                p.error = null;
                queue.addFirst(p);
            }
            next = nextLeader();
            next.promoted = true;
        }
        handOver(next);
    }

    /** Hands the lead to a task on {@code leaders}. */
    private void dispatch(Executor leaders) {
        try {
            leaders.execute(this::lead);
        } catch (RejectedExecutionException e) {
            leadElsewhere(); // the pool is shutting down: the queue still gets its answers
        }
    }

    /** Leads on a thread of its own: what a rejected hand-over falls back to, so that no queued statement goes untold. */
    private void leadElsewhere() {
        Thread t = new Thread(this::lead, "group-commit-leader");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Waits until the leader ran {@code me} or handed leadership to it. Not interruptible: a promoted
     * follower that left would leave the database without a leader and its queue stuck. Each waiter is unparked
     * alone (was: notifyAll on the group's monitor, which also woke every statement queued for the next group, only
     * for it to wait again: up to twice the context switches per statement at 16 clients).
     */
    private void awaitTurn(Pending<?> me) {
        boolean interrupted = false;
        blockedWaits.begin();
        try {
            while (!me.done && !me.promoted) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true; // park returns at once while the flag is set: cleared here, restored below
                }
            }
        } finally {
            blockedWaits.end();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void lead() {
        List<Pending<?>> group = take();
        try {
            runGroup(group);
        } catch (RuntimeException e) {
            failAll(group, e);
        } finally {
            finish(group);
        }
    }

    private synchronized List<Pending<?>> take() {
        List<Pending<?>> group = new ArrayList<>(queue);
        queue.clear();
        return group;
    }

    /** Nothing of the group may be left without an outcome: a statement told nothing would answer nobody. */
    private static void failAll(List<Pending<?>> group, RuntimeException e) {
        for (Pending<?> p : group) {
            if (p.error == null) {
                p.result = null;
                p.error = e;
            }
        }
    }

    /** Marks the group done, hands the lead on (or ends leading), then tells the group. */
    private void finish(List<Pending<?>> group) {
        Pending<?> next;
        synchronized (this) {
            for (Pending<?> p : group) {
                p.done = true;
            }
            next = nextLeader();
            if (next == null) {
                leading = false;
            } else {
                next.promoted = true;
            }
        }
        // outside the lock: a woken waiter does not block on it at once; an unpark before its park is not lost.
        // The next group starts before this one's asynchronous callers are told: telling them (encoding answers)
        // is not on the writer's path.
        if (next != null) {
            handOver(next);
        }
        for (Pending<?> p : group) {
            if (p.then != null) {
                p.tell();
            } else if (p.waiter != Thread.currentThread()) {
                LockSupport.unpark(p.waiter);
            }
        }
    }

    /** Queues {@code p}; true when no group was running, so that its caller must see to leading one. */
    private synchronized boolean enqueue(Pending<?> p) {
        queue.add(p);
        boolean lead = !leading;
        leading = true;
        return lead;
    }

    /** Who leads the next group: the oldest waiting caller, else the oldest asynchronous one; null when none is queued. */
    private Pending<?> nextLeader() {
        for (Pending<?> p : queue) {
            if (p.waiter != null) {
                return p;
            }
        }
        return queue.peek();
    }

    private void handOver(Pending<?> next) {
        if (next.waiter != null) {
            LockSupport.unpark(next.waiter);
            return;
        }
        dispatch(next.leaders);
    }

    private void runGroup(List<Pending<?>> group) {
        DbConnection w;
        try {
            w = db.acquireWriter();
        } catch (DatabaseBusyException | SQLException | RuntimeException e) {
            for (Pending<?> p : group) {
                p.error = e;
            }
            return;
        }
        runGroupOn(w, group);
    }

    /** Runs the group on the writer {@code w} (taken for it) and gives the writer back. */
    private void runGroupOn(DbConnection w, List<Pending<?>> group) {
        try {
            if (group.size() == 1 || !runTogether(w, group)) {
                for (Pending<?> p : group) {
                    p.runAlone(w);
                }
            }
        } finally {
            try {
                db.releaseWriter(w);
            } catch (FrameLogException e) {
                // committed but not durable in the frame log: nobody of the group is told it succeeded
                for (Pending<?> p : group) {
                    p.result = null;
                    p.error = e;
                }
            }
        }
    }

    /** One transaction for the whole group; false (and nothing changed) when any part of it failed. */
    private static boolean runTogether(DbConnection w, List<Pending<?>> group) {
        try {
            w.exec("BEGIN IMMEDIATE");
        } catch (SQLException e) {
            return false;
        }
        // if anything below throws past us, releaseWriter's reset() rolls the transaction back
        w.setTransaction(true, false);
        for (Pending<?> p : group) {
            p.runAlone(w);
            if (p.error != null) {
                rollback(w);
                return false;
            }
        }
        try {
            w.exec("COMMIT");
            w.setTransaction(false, false);
            return true;
        } catch (SQLException e) {
            rollback(w);
            return false;
        }
    }

    private static void rollback(DbConnection w) {
        try {
            w.exec("ROLLBACK");
        } catch (SQLException ignored) {
            // SQLite already rolled back (e.g. after SQLITE_FULL): either way no transaction is open now
        }
        w.setTransaction(false, false);
    }
}
