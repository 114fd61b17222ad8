package dev.libsqlplatform.e2e;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The one way the end-to-end harness waits: it polls observable state (a health answer, a SQL answer, a file) with
 * Awaitility until a check is satisfied, and never sleeps a fixed time. A check that throws ends the wait at once
 * (a process that exited will not become healthy).
 */
final class Waits {

    private Waits() {
    }

    @FunctionalInterface
    interface Check {
        /** null when satisfied, else what is still wrong. */
        String problem() throws Exception;
    }

    /** Polls {@code check} every {@code poll} until it answers null; returns null, or its last complaint after {@code timeout}. */
    static String until(Duration timeout, Duration poll, Check check) {
        AtomicReference<String> last = new AtomicReference<>("never checked");
        try {
            Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(poll).until(() -> {
                String problem = check.problem();
                last.set(problem);
                return problem == null;
            });
            return null;
        } catch (ConditionTimeoutException e) {
            return last.get();
        }
    }
}
