package dev.libsqlplatform.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.libsqlplatform.dataplane.http.StallJudge.Sample;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rule that tells CPU starvation from a thread that is blocked or computing, on the kernel's counters. */
class StallJudgeTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static Sample at(long atMs, long onCpuMs, long runQueueMs) {
        return new Sample(7, atMs * MS, onCpuMs * MS, runQueueMs * MS);
    }

    @Test
    void aThreadThatSpentTheStallInTheRunQueueWasStarvedOfCpu() {
        // preempted: 200 ms between the looks, 3 ms on a CPU, 190 ms runnable in a run queue
        assertThat(StallJudge.waitedForCpu(at(100, 10, 5), at(300, 13, 195))).isTrue();
        // exactly half in the run queue still counts as waiting for a CPU
        assertThat(StallJudge.waitedForCpu(at(0, 0, 0), at(200, 0, 100))).isTrue();
    }

    @Test
    void aBlockedThreadOrALongQueryIsNotStarvation() {
        // blocked (a slow client's body, I/O): neither on a CPU nor queued for one
        assertThat(StallJudge.waitedForCpu(at(100, 10, 5), at(300, 11, 6))).isFalse();
        // a long query: on a CPU most of the time
        assertThat(StallJudge.waitedForCpu(at(100, 10, 5), at(300, 190, 30))).isFalse();
        // just under half queued
        assertThat(StallJudge.waitedForCpu(at(0, 0, 0), at(200, 0, 99))).isFalse();
    }

    @Test
    void unknownCountersOrAnotherTaskAreNotStarvation() {
        assertThat(StallJudge.waitedForCpu(new Sample(7, 0, -1, -1), at(300, 0, 300))).isFalse();
        assertThat(StallJudge.waitedForCpu(at(0, 0, 0), new Sample(8, 300 * MS, 0, 300 * MS))).isFalse();
        assertThat(StallJudge.waitedForCpu(at(300, 0, 0), at(300, 0, 0))).as("no time between the looks").isFalse();
    }

    @Test
    void theKernelCountersOfAThreadAreReadFromAnotherThread() throws Exception {
        Path[] schedstat = new Path[1];
        long[] spun = new long[1];
        Thread t = new Thread(() -> {
            schedstat[0] = StallJudge.schedstatOfCurrentThread();
            long end = System.nanoTime() + 50 * MS;
            while (System.nanoTime() < end) {
                spun[0]++;
            }
        });
        t.start();
        t.join();
        assumeThat(schedstat[0]).as("a kernel with /proc/thread-self/schedstat").isNotNull();
        assertThat(schedstat[0].toString()).matches("/proc/\\d+/task/\\d+/schedstat");
        // the thread has ended: its counters are gone, and the judge says unknown instead of failing
        assertThat(StallJudge.KERNEL.sample(schedstat[0], 1, 2).known()).isFalse();

        Path mine = StallJudge.schedstatOfCurrentThread();
        Sample before = StallJudge.KERNEL.sample(mine, 1, System.nanoTime());
        long end = System.nanoTime() + 30 * MS;
        while (System.nanoTime() < end) {
            spun[0]++;
        }
        Sample after = StallJudge.KERNEL.sample(mine, 1, System.nanoTime());
        assertThat(before.known()).isTrue();
        assertThat(after.onCpuNanos()).as("time on a CPU advanced while spinning").isGreaterThan(before.onCpuNanos());
    }
}
