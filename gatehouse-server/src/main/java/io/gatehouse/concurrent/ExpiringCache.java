package io.gatehouse.concurrent;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recent answers of an application backend, each kept until its own instant (the introspection
 * verdicts keyed by a token's SHA-256 hex, so that no raw token outlives its call; the channel
 * proxy's subscribe decisions). Bounded: past {@code maxEntries} the least recently used answer
 * goes first; an expired answer is dropped when it is next looked up. Thread-safe.
 */
public final class ExpiringCache<V> {
    private record Entry<V>(V value, Instant expiresAt) {}

    private final Clock clock;
    private final int maxEntries;
    /** Access-ordered, so the eldest entry is the least recently used. Guarded by this. */
    private final LinkedHashMap<String, Entry<V>> entries;

    public ExpiringCache(Clock clock, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
        }
        this.clock = clock;
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
                return size() > ExpiringCache.this.maxEntries;
            }
        };
    }

    /** The answer stored for {@code key} while it is fresh, else null. */
    public synchronized V get(String key) {
        Entry<V> e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (!e.expiresAt().isAfter(clock.instant())) {
            entries.remove(key);
            return null;
        }
        return e.value();
    }

    /** Keeps {@code value} until {@code expiresAt}; an instant already past stores nothing. */
    public synchronized void put(String key, V value, Instant expiresAt) {
        if (expiresAt.isAfter(clock.instant())) {
            entries.put(key, new Entry<>(value, expiresAt));
        }
    }

    /** Drops the answer for {@code key}; whether there was one. */
    public synchronized boolean remove(String key) {
        return entries.remove(key) != null;
    }

    public synchronized int size() {
        return entries.size();
    }
}
