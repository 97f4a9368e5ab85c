package io.gatehouse.limits;

import io.gatehouse.config.RateLimit;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link TokenBucket} per key (a client IP). Buckets that have refilled are forgotten now and
 * then, so a flood of distinct keys costs memory only while those keys are active; past
 * {@link #MAX_KEYS} live buckets the oldest are dropped. Thread-safe.
 */
public final class KeyedLimiter {
    static final int MAX_KEYS = 200_000;
    private static final int SWEEP_EVERY = 4096;

    private final RateLimit limit;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private int sinceSweep;

    public KeyedLimiter(RateLimit limit) {
        this.limit = limit;
    }

    /** Takes a token for {@code key}: 0, or the milliseconds to wait. */
    public long take(String key) {
        long now = System.nanoTime();
        sweepNowAndThen(now);
        return buckets.computeIfAbsent(key, k -> new TokenBucket(limit, now)).take(now);
    }

    /** Returns a token taken for {@code key} that turned out not to count. */
    public void giveBack(String key) {
        TokenBucket b = buckets.get(key);
        if (b != null) {
            b.giveBack();
        }
    }

    /** 0 if {@code key} has a token left, else the milliseconds until it has; takes nothing. */
    public long peek(String key) {
        TokenBucket b = buckets.get(key);
        return b == null ? 0 : b.peek(System.nanoTime());
    }

    private void sweepNowAndThen(long now) {
        if (++sinceSweep < SWEEP_EVERY && buckets.size() < MAX_KEYS) {
            return; // racy counter: an approximate cadence is enough
        }
        sinceSweep = 0;
        buckets.values().removeIf(b -> b.isFull(now));
        if (buckets.size() >= MAX_KEYS) {
            buckets.clear(); // under a spread-out flood, forgetting is cheaper than remembering
        }
    }
}
