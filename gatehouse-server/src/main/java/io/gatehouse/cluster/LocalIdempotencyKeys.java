package io.gatehouse.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * The {@link IdempotencyKeys} of a single node, in memory. Bounded: past {@value #MAX_KEYS} keys
 * the oldest claim goes first (its key may then publish again). Thread-safe.
 */
public final class LocalIdempotencyKeys implements IdempotencyKeys {
    static final int MAX_KEYS = 100_000;

    private record Entry(String result, long expiresAtNanos) {}

    private final LongSupplier nanoTime;
    /** In claim order, so the eldest is the oldest claim. Guarded by this. */
    private final LinkedHashMap<String, Entry> keys = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public LocalIdempotencyKeys() {
        this(System::nanoTime);
    }

    LocalIdempotencyKeys(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized CompletionStage<String> claim(String key, Duration hold) {
        long now = nanoTime.getAsLong();
        Entry e = keys.get(key);
        if (e != null && e.expiresAtNanos() - now > 0) {
            return CompletableFuture.completedFuture(e.result());
        }
        keys.remove(key); // re-inserted last: claim order
        keys.put(key, new Entry(PENDING, now + hold.toNanos()));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<Void> settle(String key, String result, Duration window) {
        if (keys.containsKey(key)) {
            keys.put(key, new Entry(result, nanoTime.getAsLong() + window.toNanos()));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<Void> release(String key) {
        keys.remove(key);
        return CompletableFuture.completedFuture(null);
    }

    synchronized int size() {
        return keys.size();
    }
}
