package dev.libsqlplatform.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool's own life cycle: it grows past a long stall and gives the extra threads back afterwards. */
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
            long t0 = System.nanoTime();
            pool.execute(queuedRan::countDown);
            // not before the long-stall threshold (200 ms), but well before the stall ends
            assertThat(queuedRan.await(5, TimeUnit.SECONDS)).as("queued task ran while the first one stalled").isTrue();
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(waitedMillis).isBetween(150L, 2_000L);
            assertThat(pool.getCorePoolSize()).isGreaterThan(1);
            release.countDown();

            // under steady load the surplus leaves too: keep tasks coming while waiting for the shrink
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && (pool.getCorePoolSize() > 1 || pool.getPoolSize() > 1)) {
                pool.execute(() -> { });
                Thread.sleep(5);
            }
            assertThat(pool.getCorePoolSize()).isEqualTo(1);
            assertThat(pool.getPoolSize()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
