package dev.libsqlplatform.dataplane.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells a request thread that is stuck in one request because it waits for a CPU from one that is blocked or
 * computing, from the kernel's scheduler counters ({@code /proc/<pid>/task/<tid>/schedstat}: time on a CPU, time
 * runnable in a run queue, in nanoseconds).
 *
 * <p>Why: {@link RequestThreads} adds a thread when a queued request has waited long while a thread sits inside one
 * request. That helps when the thread is blocked (a slow client's body, I/O) or busy with a long query: another
 * thread can serve the queue meanwhile. It does not help when the thread was preempted because the machine's cores
 * are busy: a new thread waits for a CPU as well, and adds switching. A JFR profile of contended point reads showed
 * exactly that churn (#15). So a stall whose stuck thread spent at least half of it in the run queue is CPU
 * starvation, and does not grow the pool.
 *
 * <p>Where the counters cannot be read (no {@code /proc}, or a kernel without schedstat) every stall counts as one
 * threads can help with, which was the rule before.
 */
interface StallJudge {

    /** A look at a thread inside one request: when, and its scheduler counters then (negative when unknown). */
    record Sample(long taskStart, long at, long onCpuNanos, long runQueueNanos) {
        boolean known() {
            return onCpuNanos >= 0 && runQueueNanos >= 0;
        }
    }

    /** Reads a thread's counters; {@code schedstat} null means unknown. */
    Sample sample(Path schedstat, long taskStart, long now);

    /**
     * Whether a thread stuck between two looks was starved of CPU: it spent at least half the time between them
     * runnable but waiting in a run queue. Unknown counters, or looks too close together to say, are not starvation.
     */
    default boolean starvedOfCpu(Sample first, Sample last) {
        return waitedForCpu(first, last);
    }

    static boolean waitedForCpu(Sample first, Sample last) {
        if (!first.known() || !last.known() || first.taskStart() != last.taskStart()) {
            return false;
        }
        long wall = last.at() - first.at();
        long queued = last.runQueueNanos() - first.runQueueNanos();
        return wall > 0 && queued * 2 >= wall;
    }

    /** The judge of a Linux kernel with schedstat. */
    StallJudge KERNEL = (schedstat, taskStart, now) -> {
        if (schedstat != null) {
            try {
                String[] f = new String(Files.readAllBytes(schedstat), StandardCharsets.US_ASCII).trim().split(" ");
                if (f.length >= 2) {
                    return new Sample(taskStart, now, Long.parseLong(f[0]), Long.parseLong(f[1]));
                }
            } catch (IOException | RuntimeException e) {
                // the thread is gone, or the format is not the one we know: unknown
            }
        }
        return new Sample(taskStart, now, -1, -1);
    };

    /**
     * Where the kernel keeps the calling thread's scheduler counters, as a path another thread can read
     * ({@code /proc/thread-self} names the reader, so it is resolved here), or null where there are none.
     */
    static Path schedstatOfCurrentThread() {
        try {
            Path self = Path.of("/proc/thread-self");
            if (!Files.isReadable(self.resolve("schedstat"))) {
                return null;
            }
            // a link like "1234/task/1240", relative to /proc
            Path stat = Path.of("/proc").resolve(Files.readSymbolicLink(self)).resolve("schedstat");
            return Files.isReadable(stat) ? stat : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
