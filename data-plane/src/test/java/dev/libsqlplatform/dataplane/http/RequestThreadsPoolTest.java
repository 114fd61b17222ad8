package dev.libsqlplatform.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The pool's own life cycle: it grows past a long stall of a blocked thread and gives the extra threads back
 * afterwards; it does not grow for requests that only queue, or for a stuck thread that only waits for a CPU.
 */
class RequestThreadsPoolTest {

    @Test
    void growsPastALongStallAndShrinksBackToTheBase() throws Exception {
        RequestThreads pool = new RequestThreads(1, 8, TimeUnit.MILLISECONDS.toNanos(2),
                TimeUnit.MILLISECONDS.toNanos(1), "test-request-");
        try {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch queuedRan = new CountDownLatch(1);
            pool.execute(() -> {
                try {
                    release.await(); // a long query: the only thread is busy and not waiting for a writer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pool.execute(queuedRan::countDown);
            // the stall never ends by itself: the queued task can only run on a thread the pool added for it
            assertThat(queuedRan.await(30, TimeUnit.SECONDS)).as("queued task ran while the first one stalled").isTrue();
            assertThat(pool.getCorePoolSize()).isGreaterThan(1);
            release.countDown();

            // under steady load the surplus leaves too: keep tasks coming while waiting for the shrink
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
                pool.execute(() -> { });
                return pool.getCorePoolSize() == 1 && pool.getPoolSize() == 1;
            });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theWatchdogLooksOftenOnlyWhileSomeoneWaitsForAWriter() throws Exception {
        java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
        RequestThreads pool = new RequestThreads(1, 8, TimeUnit.MILLISECONDS.toNanos(2),
                TimeUnit.MILLISECONDS.toNanos(1), "test-request-", waiting::get);
        try {
            long before = pool.looks();
            Thread.sleep(500);
            // 1 ms ticks would be ~500 looks; the idle tick is 50 ms
            assertThat(pool.looks() - before).as("looks in 500 ms without a writer wait").isLessThanOrEqualTo(15);

            waiting.set(1);
            pool.someoneWaits();
            long waitBegan = pool.looks();
            Thread.sleep(300);
            assertThat(pool.looks() - waitBegan).as("looks in 300 ms while a thread waits for a writer").isGreaterThan(50);

            waiting.set(0);
            Thread.sleep(100); // the watchdog's look after the wait ended goes back to the idle tick
            long after = pool.looks();
            Thread.sleep(500);
            assertThat(pool.looks() - after).as("looks in 500 ms after the wait ended").isLessThanOrEqualTo(15);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestsThatOnlyQueueDoNotGrowThePool() throws Exception {
        // saturation: every task is short, but 600 of them queue for up to ~0.6 s behind one thread, far past the
        // 200 ms long stall; no thread is stuck in one request, so another thread would not help
        RequestThreads pool = new RequestThreads(1, 8, TimeUnit.MILLISECONDS.toNanos(2),
                TimeUnit.MILLISECONDS.toNanos(1), "test-request-");
        try {
            CountDownLatch done = new CountDownLatch(600);
            for (int i = 0; i < 600; i++) {
                pool.execute(() -> {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    done.countDown();
                });
            }
            int largest = 1;
            while (!done.await(1, TimeUnit.MILLISECONDS)) {
                largest = Math.max(largest, pool.getCorePoolSize());
            }
            assertThat(largest).as("threads while short requests queued").isEqualTo(1);
            assertThat(pool.getLargestPoolSize()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStuckThreadThatOnlyWaitsForACpuDoesNotGrowThePool() throws Exception {
        // the kernel's counters of a preempted thread: every look finds it runnable in a run queue the whole time
        StallJudge preempted = (schedstat, taskStart, now) -> new StallJudge.Sample(taskStart, now, 0, now);
        RequestThreads pool = new RequestThreads(1, 8, TimeUnit.MILLISECONDS.toNanos(2),
                TimeUnit.MILLISECONDS.toNanos(1), "test-request-", () -> 0, preempted);
        CountDownLatch release = new CountDownLatch(1);
        try {
            CountDownLatch queuedRan = new CountDownLatch(1);
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pool.execute(queuedRan::countDown);
            assertThat(queuedRan.await(1, TimeUnit.SECONDS)).as("queued task ran beside a thread starved of CPU").isFalse();
            assertThat(pool.getCorePoolSize()).isEqualTo(1);
            assertThat(pool.starvedStalls()).as("the stall was judged CPU starvation").isPositive();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void theSameStallOnABlockedThreadGrowsThePool() throws Exception {
        // the kernel's counters of a blocked thread: neither on a CPU nor queued for one
        StallJudge blocked = (schedstat, taskStart, now) -> new StallJudge.Sample(taskStart, now, 0, 0);
        RequestThreads other = new RequestThreads(1, 8, TimeUnit.MILLISECONDS.toNanos(2),
                TimeUnit.MILLISECONDS.toNanos(1), "test-request-", () -> 0, blocked);
        CountDownLatch release2 = new CountDownLatch(1);
        try {
            CountDownLatch queuedRan = new CountDownLatch(1);
            other.execute(() -> {
                try {
                    release2.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            other.execute(queuedRan::countDown);
            assertThat(queuedRan.await(30, TimeUnit.SECONDS)).as("queued task ran beside a blocked thread").isTrue();
            assertThat(other.starvedStalls()).isZero();
        } finally {
            release2.countDown();
            other.shutdownNow();
        }
    }
}
