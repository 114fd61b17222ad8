package dev.libsqlplatform.dataplane.http;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ends a blocked body read at the body's deadline on the NIO2 connector, without closing the connection, so that the
 * request can still answer {@code 408 REQUEST_TIMEOUT}.
 *
 * <p>Why: NIO2 implements a blocking read as {@code Future.get(readTimeout)} on an asynchronous channel read, and on
 * timeout cancels that future; the JDK cancels an asynchronous read by closing the channel, so Tomcat's own read
 * timeout leaves nothing to answer on. Interrupting the reading thread instead makes {@code Future.get} throw
 * {@code InterruptedException}, which Tomcat's {@code Nio2SocketWrapper.fillReadBuffer} turns into an
 * {@code IOException} without cancelling the read: the channel stays open, the answer is written, and Tomcat then
 * closes the connection (it drops it after a 408 and does not drain the body), which cancels the pending read. With
 * NIO2, {@code LeanPipelineConfig} sets Tomcat's read timeout past the body deadline, so this watchdog acts first.
 *
 * <p>Risks, weighed: it relies on how Tomcat's NIO2 wrapper handles an interrupt (an implementation detail; {@code
 * BodyReadTransportTest} fails if it changes), and an interrupt must never reach anything but the read it was meant
 * for. Hence the hand-shake in {@link Guard}: the watchdog interrupts only while the thread is inside a guarded read
 * (state READING, claimed by compare-and-set), and the reader, leaving the read, waits for an interrupt in progress
 * to finish and clears the flag, so no interrupt outlives the read. Reads that cannot block (bytes already buffered)
 * are not guarded and cost nothing; a guarded body schedules one timer task, cancelled when the body ends.
 */
final class BodyReadWatchdog implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    BodyReadWatchdog() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "body-read-watchdog");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** The guard of one request body, whose whole body is due by {@code deadlineNanos} ({@link System#nanoTime}). */
    Guard guard(long deadlineNanos) {
        return new Guard(deadlineNanos);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One body's reads. Used by the request thread only; the timer task touches {@link #state} and the thread. */
    final class Guard {
        private static final int IDLE = 0;
        private static final int READING = 1;
        private static final int INTERRUPTING = 2;
        private static final int INTERRUPTED = 3;

        private final AtomicInteger state = new AtomicInteger(IDLE);
        private final long deadline;
        private volatile Thread reader;
        private ScheduledFuture<?> expiry;

        private Guard(long deadline) {
            this.deadline = deadline;
        }

        /** Before a read that may block. False when the deadline has passed: then do not read (and call no exit). */
        boolean enter() {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            reader = Thread.currentThread();
            if (expiry == null) {
                try {
                    expiry = timer.schedule(this::expire, left, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // shutting down: Tomcat's own read timeout still bounds the read
                }
            }
            state.set(READING);
            // the timer may have run between the check above and READING: it found nothing to interrupt
            if (deadline - System.nanoTime() <= 0) {
                exit();
                return false;
            }
            return true;
        }

        /** After the read, however it ended. True when the watchdog interrupted it: the body is too slow. */
        boolean exit() {
            if (state.compareAndSet(READING, IDLE)) {
                return false;
            }
            while (state.get() != INTERRUPTED) {
                Thread.yield(); // the timer is between claiming the read and interrupting it: a few instructions
            }
            Thread.interrupted(); // the interrupt was for this read only
            state.set(IDLE);
            return true;
        }

        /** The body ended (or was abandoned): no timer task left behind. */
        void finish() {
            ScheduledFuture<?> e = expiry;
            if (e != null) {
                e.cancel(false);
            }
        }

        private void expire() {
            if (state.compareAndSet(READING, INTERRUPTING)) {
                reader.interrupt();
                state.set(INTERRUPTED);
            }
        }
    }
}
