package io.gatehouse.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock moved on by what a test adds: a running server keeps ticking (samples, timers,
 * webhook retries), and a test makes half an hour pass at once, as when a page was left open
 * ({@link TestGatehouse#clock}). {@link MutableClock} is the one that stands still.
 */
public final class ShiftedClock extends TestClock {
    private final AtomicReference<Duration> shift = new AtomicReference<>(Duration.ZERO);

    /** Moves the clock on by {@code d}; safe to call from several threads. */
    public void advance(Duration d) {
        shift.updateAndGet(s -> s.plus(d));
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(shift.get());
    }
}
