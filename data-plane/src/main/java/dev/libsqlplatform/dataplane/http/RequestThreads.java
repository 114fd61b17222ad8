package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.storage.BlockedWaits;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's request threads: as many as there are cores while requests keep moving, more only while
 * queued requests starve.
 *
 * <p>Why: a point read costs about 15 µs of CPU; with Tomcat's default pool every keep-alive connection gets its
 * own thread, and on 2 cores the hand-offs and context switches between 16–64 runnable threads cost more than the
 * reads (measured with wrk at 16 point-read clients: 25 % less CPU per request than with 200 threads, and
 * p99 about 4 ms instead of 6–18 ms).
 * But a request can block: it waits up to the busy timeout for a database's single writer, or runs a long query.
 * With a fixed small pool, two requests waiting for a writer whose COMMIT sits in the queue behind them would stall
 * every database on the worker until the busy timeout. So a watchdog looks at the oldest queued request every
 * {@code tick}; when it has waited longer than {@code starvation} while a request thread waits for a database's
 * writer ({@link BlockedWaits}), or longer than {@link #LONG_STALL_NANOS} whatever the threads do
 * (long queries; then at most one thread per that period), the pool grows by one thread (up to {@code max}), which
 * takes the queued request. Waiting alone is not enough: under saturation, during JIT warm-up or after a GC pause,
 * queued requests age too, and more threads would only add switching. Once nothing has starved for
 * {@link #SHRINK_AFTER_NANOS}, the surplus is halved every {@link #SHRINK_STEP_NANOS} (measured: 65 threads left
 * over from a write burst cost later point reads 45 % more CPU each while they stayed). The queue is a {@link LinkedTransferQueue}: a request
 * thread spins briefly before it parks.
 */
final class RequestThreads extends ThreadPoolExecutor {
    private static final Logger log = LoggerFactory.getLogger(RequestThreads.class);
    private static final long SHRINK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LONG_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long SHRINK_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A queued task and when it was queued (the watchdog's only input). */
    private record Queued(Runnable task, long queuedAt) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    private final int base;
    private final int max;
    private final long starvationNanos;
    private final long tickNanos;
    /** Threads waiting for a database's writer right now ({@link BlockedWaits#now}). */
    private final IntSupplier blockedWaits;
    private final Thread watchdog;
    private volatile boolean stopping;
    private volatile long lastGrowth;
    private long lastShrink;

    /** A pool that knows of no writer waits: it grows on long stalls only. */
    RequestThreads(int base, int max, long starvationNanos, long tickNanos, String namePrefix) {
        this(base, max, starvationNanos, tickNanos, namePrefix, () -> 0);
    }

    RequestThreads(int base, int max, long starvationNanos, long tickNanos, String namePrefix,
                   IntSupplier blockedWaits) {
        // maximumPoolSize follows the core size: lowering it makes surplus threads leave after their current task
        super(base, base, 60, TimeUnit.SECONDS, new LinkedTransferQueue<>(), threads(namePrefix));
        if (base < 1 || max < base) {
            throw new IllegalArgumentException("request threads: need 1 <= base <= max, got base " + base + ", max " + max);
        }
        this.base = base;
        this.max = max;
        this.starvationNanos = starvationNanos;
        this.tickNanos = tickNanos;
        this.blockedWaits = blockedWaits;
        prestartAllCoreThreads();
        this.watchdog = new Thread(this::watch, namePrefix + "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void execute(Runnable command) {
        super.execute(new Queued(command, System.nanoTime()));
    }

    private void watch() {
        BlockingQueue<Runnable> queue = getQueue();
        while (!stopping) {
            LockSupport.parkNanos(tickNanos);
            long now = System.nanoTime();
            Runnable head = queue.peek();
            int core = getCorePoolSize();
            long waited = head instanceof Queued q ? now - q.queuedAt() : 0;
            boolean starving = (waited > starvationNanos && blockedWaits.getAsInt() > 0)
                    || (waited > LONG_STALL_NANOS && now - lastGrowth > LONG_STALL_NANOS);
            if (starving) {
                if (core < max) {
                    // raising the core size starts a thread at once because the queue is not empty
                    setMaximumPoolSize(core + 1);
                    setCorePoolSize(core + 1);
                    lastGrowth = now;
                    if (core + 1 == max) {
                        log.warn("all {} request threads are busy and requests still wait: blocked on writers or"
                                + " long queries", max);
                    }
                }
            } else if (core > base && now - lastGrowth > SHRINK_AFTER_NANOS && now - lastShrink > SHRINK_STEP_NANOS) {
                // halve the surplus: threads above the maximum leave when they finish their current task, even
                // under load (an idle timeout would never fire: waiting threads take turns at the tasks)
                int target = core - Math.max(1, (core - base) / 2);
                setCorePoolSize(target);
                setMaximumPoolSize(target);
                lastShrink = now;
            }
        }
    }

    @Override
    protected void terminated() {
        stopping = true;
        LockSupport.unpark(watchdog);
        super.terminated();
    }

    @Override
    public void shutdown() {
        stopping = true;
        super.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        stopping = true;
        return super.shutdownNow();
    }
}
