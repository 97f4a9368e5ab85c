package io.gatehouse.client.internal;

/**
 * Paces what a link sends: {@code burst} frames at once, then {@code perSecond}. The server closes
 * a connection that sends faster than {@code limits.messages_per_connection} ({rate: 100, burst:
 * 200} by default) with {@code 4429 RATE_LIMITED}, and a client with hundreds of subscriptions
 * sends one resubscribe each on every connect. Pure (the caller passes the time). Not thread-safe
 * (the client thread owns it).
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1e9;

    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    TokenBucket(double perSecond, int burst, long nowNanos) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("the rate must be positive and the burst at least 1");
        }
        this.perNano = perSecond / NANOS_PER_SECOND;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /** Takes a token and answers 0, or, when there is none, the nanoseconds until there is one. */
    long take(long nowNanos) {
        tokens = Math.min(burst, tokens + Math.max(0, nowNanos - lastNanos) * perNano);
        lastNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }
}
