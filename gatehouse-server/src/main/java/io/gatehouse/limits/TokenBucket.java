package io.gatehouse.limits;

import io.gatehouse.config.RateLimit;

/**
 * A token bucket (SPEC §1): {@code burst} tokens, refilled at {@code rate} per second. Guarded by
 * this; cheap enough for every handshake and every client message.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long refilledAt;

    public TokenBucket(RateLimit limit, long nowNanos) {
        this.ratePerNano = limit.ratePerSecond() / 1e9;
        this.burst = limit.burst();
        this.tokens = burst;
        this.refilledAt = nowNanos;
    }

    /** Takes one token: 0 when there was one, else the milliseconds until there will be. */
    public synchronized long take(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return waitMillis();
    }

    /** Returns a token taken for something that turned out not to count (never past the burst). */
    public synchronized void giveBack() {
        tokens = Math.min(burst, tokens + 1);
    }

    /** Whether a token is there, without taking it: 0, or the milliseconds until one is. */
    public synchronized long peek(long nowNanos) {
        refill(nowNanos);
        return tokens >= 1 ? 0 : waitMillis();
    }

    /** Whether the bucket is full again, so its owner may forget it. */
    public synchronized boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= burst;
    }

    private long waitMillis() {
        return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano / 1e6));
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * ratePerNano);
            refilledAt = nowNanos;
        }
    }
}
