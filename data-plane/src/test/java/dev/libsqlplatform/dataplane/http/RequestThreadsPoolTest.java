package dev.libsqlplatform.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
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
}
