package io.gatehouse.client.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th delay (from 0) is drawn uniformly from
 * {@code [0, min(cap, base * 2^n)]}, and is never shorter than the server's {@code retry_after_ms}.
 * {@link #reset()} after a successful connect. Pure apart from its random source, so tests seed it.
 * Not thread-safe (the client thread owns it).
 */
public final class Backoff {
    private final long baseMillis;
    private final long capMillis;
    private final RandomGenerator random;
    private int attempt;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
        if (baseMillis <= 0 || capMillis < baseMillis) {
            throw new IllegalArgumentException("base must be positive and cap at least base");
        }
    }

    /** The delay before the next attempt; {@code retryAfterMillis} (0 for none) is its floor. */
    public Duration next(long retryAfterMillis) {
        long ceiling = ceiling(attempt);
        if (ceiling < capMillis) {
            attempt++; // past the cap, counting on would only risk an overflow
        }
        long jitter = random.nextLong(ceiling + 1);
        return Duration.ofMillis(Math.max(jitter, retryAfterMillis));
    }

    /** Back to the first attempt's range. */
    public void reset() {
        attempt = 0;
    }

    /** {@code min(cap, base * 2^attempt)}, without overflow. */
    long ceiling(int attempt) {
        if (attempt >= Long.numberOfLeadingZeros(baseMillis) - 1) {
            return capMillis;
        }
        return Math.min(capMillis, baseMillis << attempt);
    }
}
