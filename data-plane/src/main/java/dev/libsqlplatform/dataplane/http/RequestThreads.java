package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.storage.BlockedWaits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * {@code tick} while a request thread waits for a database's writer, and every {@link #IDLE_TICK_NANOS} otherwise;
 * when it has waited longer than {@code starvation} while a request thread waits for a database's
 * writer ({@link BlockedWaits}), or longer than {@link #LONG_STALL_NANOS} while a request thread has been inside one
 * request that long and is not merely waiting for a CPU (a long query, a slow body, an I/O wait; then at most one
 * thread per that period), the pool grows by one thread (up to {@code max}), which takes the queued request.
 * Waiting alone is not enough: under saturation, during JIT warm-up or after a GC pause, queued requests age too,
 * and more threads would only add switching. Neither is a thread stuck in one request, when the kernel says it spent
 * that time runnable but off-CPU ({@link StallJudge}): on a machine whose cores are busy with other processes a
 * preempted request thread looks stuck, and before this rule the pool grew and shrank again every few seconds there
 * (14 threads started and retired in 55 s of contended point reads, README "Performance", #15). Once nothing has starved for
 * {@link #SHRINK_AFTER_NANOS}, the surplus is halved every {@link #SHRINK_STEP_NANOS} (measured: 65 threads left
 * over from a write burst cost later point reads 45 % more CPU each while they stayed). The queue is a {@link LinkedTransferQueue}: a request
 * thread spins briefly before it parks.
 */
final class RequestThreads extends ThreadPoolExecutor {
    private static final Logger log = LoggerFactory.getLogger(RequestThreads.class);
    private static final long SHRINK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LONG_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long SHRINK_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The watchdog's tick while no thread waits for a writer: only the long-stall and shrink rules can apply then, and
     * they work in steps of 100–200 ms. Was {@code tick} (1 ms) always: a thousand wake-ups a second, idle or not, which
     * cost an idle worker 3.6 % of a core and a loaded one more (on a day when a wake-up cost ~40 µs of CPU, 12 % of a
     * core during 1-client writes). The first writer wait wakes the watchdog at once ({@link #someoneWaits}).
     */
    static final long IDLE_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

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
    /** Live request threads, for the watchdog's look at what each one is running. */
    private final List<RequestThread> threads;
    /** The watchdog's first look at a thread already long inside one request (watchdog thread only). */
    private final Map<RequestThread, StallJudge.Sample> longTasks = new HashMap<>();
    private final StallJudge judge;
    private volatile long starvedStalls;
    /** How often the watchdog looked at the queue (tests: how often it woke). */
    private volatile long looks;
    private volatile boolean stopping;
    private volatile long lastGrowth;
    private long lastShrink;

    /** A pool that knows of no writer waits: it grows on long stalls only. */
    RequestThreads(int base, int max, long starvationNanos, long tickNanos, String namePrefix) {
        this(base, max, starvationNanos, tickNanos, namePrefix, () -> 0);
    }

    RequestThreads(int base, int max, long starvationNanos, long tickNanos, String namePrefix,
                   IntSupplier blockedWaits) {
        this(base, max, starvationNanos, tickNanos, namePrefix, blockedWaits, StallJudge.KERNEL,
                new CopyOnWriteArrayList<>());
    }

    RequestThreads(int base, int max, long starvationNanos, long tickNanos, String namePrefix,
                   IntSupplier blockedWaits, StallJudge judge) {
        this(base, max, starvationNanos, tickNanos, namePrefix, blockedWaits, judge, new CopyOnWriteArrayList<>());
    }

    private RequestThreads(int base, int max, long starvationNanos, long tickNanos, String namePrefix,
                           IntSupplier blockedWaits, StallJudge judge, List<RequestThread> threads) {
        // maximumPoolSize follows the core size: lowering it makes surplus threads leave after their current task
        super(base, base, 60, TimeUnit.SECONDS, new LinkedTransferQueue<>(), threads(namePrefix, threads));
        if (base < 1 || max < base) {
            throw new IllegalArgumentException("request threads: need 1 <= base <= max, got base " + base + ", max " + max);
        }
        this.base = base;
        this.max = max;
        this.starvationNanos = starvationNanos;
        this.tickNanos = tickNanos;
        this.blockedWaits = blockedWaits;
        this.judge = judge;
        this.threads = threads;
        prestartAllCoreThreads();
        this.watchdog = new Thread(this::watch, namePrefix + "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** A request thread that says since when it runs its current request, and where the kernel counts its times. */
    static final class RequestThread extends Thread {
        private final List<RequestThread> live;
        /** When the current task started ({@link System#nanoTime}), 0 while idle. */
        volatile long taskStart;
        /** This thread's scheduler counters ({@link StallJudge#schedstatOfCurrentThread}), null when unknown. */
        volatile java.nio.file.Path schedstat;

        RequestThread(Runnable r, String name, List<RequestThread> live) {
            super(r, name);
            this.live = live;
        }

        @Override
        public void run() {
            schedstat = StallJudge.schedstatOfCurrentThread();
            live.add(this);
            try {
                super.run();
            } finally {
                live.remove(this);
            }
        }
    }

    private static ThreadFactory threads(String prefix, List<RequestThread> live) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new RequestThread(r, prefix + n.incrementAndGet(), live);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void execute(Runnable command) {
        super.execute(new Queued(command, System.nanoTime()));
    }

    @Override
    protected void beforeExecute(Thread t, Runnable r) {
        if (t instanceof RequestThread rt) {
            rt.taskStart = System.nanoTime();
        }
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
        if (Thread.currentThread() instanceof RequestThread rt) {
            rt.taskStart = 0;
        }
    }

    /** How many long stalls did not grow the pool because the stuck threads were only waiting for a CPU. */
    long starvedStalls() {
        return starvedStalls;
    }

    /**
     * Whether a long stall is one more threads can help with: some thread has been inside one request longer than
     * {@link #LONG_STALL_NANOS} and, since the watchdog first saw it there, did not spend most of the time runnable
     * but off-CPU. Also takes the first look at threads that have been inside one request half that long.
     */
    private boolean stuckOnMoreThanCpu(long now, boolean judging) {
        boolean stuck = false;
        boolean help = false;
        for (RequestThread t : threads) {
            long start = t.taskStart;
            StallJudge.Sample first = longTasks.get(t);
            if (start == 0 || now - start < LONG_STALL_NANOS / 2) {
                if (first != null) {
                    longTasks.remove(t);
                }
                continue;
            }
            if (first == null || first.taskStart() != start) {
                longTasks.put(t, judge.sample(t.schedstat, start, now));
                continue;
            }
            if (judging && now - start > LONG_STALL_NANOS) {
                stuck = true;
                help |= !judge.starvedOfCpu(first, judge.sample(t.schedstat, start, now));
            }
        }
        if (longTasks.size() > threads.size()) {
            longTasks.keySet().retainAll(threads);
        }
        if (stuck && !help) {
            starvedStalls++;
        }
        return help;
    }

    private void watch() {
        BlockingQueue<Runnable> queue = getQueue();
        while (!stopping) {
            // a wait that begins after this look unparks the watchdog (someoneWaits): the permit ends this park at once
            LockSupport.parkNanos(blockedWaits.getAsInt() > 0 ? tickNanos : Math.max(tickNanos, IDLE_TICK_NANOS));
            looks++; // written by the watchdog alone
            long now = System.nanoTime();
            Runnable head = queue.peek();
            int core = getCorePoolSize();
            long waited = head instanceof Queued q ? now - q.queuedAt() : 0;
            boolean longStall = waited > LONG_STALL_NANOS && now - lastGrowth > LONG_STALL_NANOS;
            boolean starving = (waited > starvationNanos && blockedWaits.getAsInt() > 0)
                    || stuckOnMoreThanCpu(now, longStall) && longStall;
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

    long looks() {
        return looks;
    }

    /** A thread began to wait for a database's writer while none did: the starvation rule needs the fast tick now. */
    void someoneWaits() {
        LockSupport.unpark(watchdog);
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
