package dev.libsqlplatform.controlplane.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock tests move (to the next month) instead of waiting; null offset = the system clock. */
public final class MutableClock extends Clock {

    private final AtomicReference<java.time.Duration> offset = new AtomicReference<>(java.time.Duration.ZERO);

    public void advance(java.time.Duration by) {
        offset.updateAndGet(o -> o.plus(by));
    }

    public void reset() {
        offset.set(java.time.Duration.ZERO);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.offset(Clock.system(zone), offset.get());
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset.get());
    }
}
