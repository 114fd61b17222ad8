package dev.libsqlplatform.dataplane.storage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * How many threads wait right now for a database's writer (or a group commit leader). The request thread pool
 * reads it to tell a blocked pool from a busy one: the writer may be held by a stream's open transaction whose
 * next request (its COMMIT) is queued behind the waiting threads, so a thread must be added; while threads only
 * run (or wait for a reader connection, which a running request gives back), adding threads would only add
 * switching. One instance per registry (a bean), not a static: two workers in one JVM (tests) must not see each
 * other's waits.
 */
@Component
public final class BlockedWaits {
    private final AtomicInteger waiting = new AtomicInteger();
    private final List<Runnable> firstWaitListeners = new CopyOnWriteArrayList<>();

    public int now() {
        return waiting.get();
    }

    /**
     * {@code listener} runs (on the waiting thread, so it must not block) whenever a wait begins while nobody waited:
     * the request pool's watchdog looks at the queue often only while someone waits, and is woken here.
     */
    public void onFirstWait(Runnable listener) {
        firstWaitListeners.add(listener);
    }

    void begin() {
        if (waiting.incrementAndGet() == 1) {
            firstWaitListeners.forEach(Runnable::run);
        }
    }

    void end() {
        waiting.decrementAndGet();
    }
}
