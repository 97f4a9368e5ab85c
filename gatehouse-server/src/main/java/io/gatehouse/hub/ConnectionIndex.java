package io.gatehouse.hub;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live connections by a key (a user id, a credential id). Thread-safe. Each key's connections are
 * an immutable set, replaced as a whole inside the map's {@code compute}: readers take it without
 * a lock, and a key with one connection (most users, almost every credential) costs one small set
 * rather than a concurrent set of its own (about 200 bytes less per connection and key).
 */
final class ConnectionIndex {
    private final Map<String, Set<Connection>> byKey = new ConcurrentHashMap<>();

    void add(String key, Connection c) {
        byKey.compute(key, (k, set) -> {
            if (set == null) {
                return Set.of(c);
            }
            if (set.contains(c)) {
                return set;
            }
            Connection[] more = set.toArray(new Connection[set.size() + 1]);
            more[set.size()] = c;
            return Set.of(more);
        });
    }

    void remove(String key, Connection c) {
        byKey.computeIfPresent(key, (k, set) -> {
            if (!set.contains(c)) {
                return set;
            }
            if (set.size() == 1) {
                return null;
            }
            return Set.of(set.stream().filter(x -> x != c).toArray(Connection[]::new));
        });
    }

    /** The connections of {@code key}, a snapshot. */
    List<Connection> get(String key) {
        Set<Connection> set = byKey.get(key);
        return set == null ? List.of() : List.copyOf(set);
    }

    /** How many keys have a connection. */
    int size() {
        return byKey.size();
    }
}
