package io.gatehouse.auth;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The introspection backend's recent answers, keyed by a token's SHA-256 (hex) so that no raw
 * token outlives the call that checked it. Bounded: past {@code maxEntries} the least recently
 * used answer goes first; an expired answer is dropped when it is next looked up.
 */
final class IntrospectionCache {
    private record Entry(Verdict verdict, Instant expiresAt) {}

    private final Clock clock;
    private final int maxEntries;
    /** Access-ordered, so the eldest entry is the least recently used. Guarded by this. */
    private final LinkedHashMap<String, Entry> entries;

    IntrospectionCache(Clock clock, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
        }
        this.clock = clock;
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > IntrospectionCache.this.maxEntries;
            }
        };
    }

    /** The answer stored for {@code key} while it is fresh, else null. */
    synchronized Verdict get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (!e.expiresAt().isAfter(clock.instant())) {
            entries.remove(key);
            return null;
        }
        return e.verdict();
    }

    /** Keeps {@code verdict} until {@code expiresAt}; an instant already past stores nothing. */
    synchronized void put(String key, Verdict verdict, Instant expiresAt) {
        if (expiresAt.isAfter(clock.instant())) {
            entries.put(key, new Entry(verdict, expiresAt));
        }
    }

    /** Drops the answer for {@code key}; whether there was one. */
    synchronized boolean remove(String key) {
        return entries.remove(key) != null;
    }

    synchronized int size() {
        return entries.size();
    }
}
