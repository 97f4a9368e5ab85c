package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The presence of every channel, in this process: the {@link MemoryBroker}'s. Thread-safe. */
final class MemoryPresence {
    static final Comparator<PresenceClient> OLDEST_CONNECTION_FIRST =
            Comparator.comparing(PresenceClient::connectedAt).thenComparing(PresenceClient::connectionId);

    /** One channel's clients by connection id, and how many connections each user has among them. */
    private record Listed(Map<String, PresenceClient> clients, Map<String, Integer> perUser) {}

    /**
     * Channel value to its clients. A channel's entry is changed only inside {@code byChannel.compute}
     * of its channel, so an emptied one is removed without losing a concurrent add, and a user's
     * count changes with its entries in one step; readers see a thread-safe, weakly consistent view.
     */
    private final ConcurrentHashMap<String, Listed> byChannel = new ConcurrentHashMap<>();

    /** Lists {@code client}; how many connections its user has listed in {@code channel} now. */
    int add(ChannelName channel, PresenceClient client) {
        return add(channel, client, count -> {});
    }

    /** As {@link #add(ChannelName, PresenceClient)}, telling {@code counted} the count inside the same atomic step. */
    int add(ChannelName channel, PresenceClient client, java.util.function.IntConsumer counted) {
        int[] count = new int[1];
        byChannel.compute(channel.value(), (k, listed) -> {
            Listed l = listed == null ? new Listed(new ConcurrentHashMap<>(), new ConcurrentHashMap<>()) : listed;
            PresenceClient before = l.clients().put(client.connectionId(), client);
            if (before != null) {
                l.perUser().computeIfPresent(before.userId(), (u, n) -> n <= 1 ? null : n - 1);
            }
            count[0] = l.perUser().merge(client.userId(), 1, Integer::sum);
            counted.accept(count[0]);
            return l;
        });
        return count[0];
    }

    /** Unlists {@code connectionId}; how many connections of its user are left, or -1 if it was not listed. */
    int remove(ChannelName channel, String connectionId) {
        return remove(channel, connectionId, left -> {});
    }

    /** As {@link #remove(ChannelName, String)}, telling {@code counted} what is left (when it was listed) inside the same atomic step. */
    int remove(ChannelName channel, String connectionId, java.util.function.IntConsumer counted) {
        int[] left = {-1};
        byChannel.computeIfPresent(channel.value(), (k, l) -> {
            PresenceClient gone = l.clients().remove(connectionId);
            if (gone != null) {
                Integer n = l.perUser().computeIfPresent(gone.userId(), (u, c) -> c <= 1 ? null : c - 1);
                left[0] = n == null ? 0 : n;
                counted.accept(left[0]);
            }
            return l.clients().isEmpty() ? null : l;
        });
        return left[0];
    }

    /** The clients of {@code channel}, oldest connection first. */
    List<PresenceClient> of(ChannelName channel) {
        Listed listed = byChannel.get(channel.value());
        if (listed == null) {
            return List.of();
        }
        List<PresenceClient> list = new ArrayList<>(listed.clients().values());
        list.sort(OLDEST_CONNECTION_FIRST);
        return List.copyOf(list);
    }

    void clear() {
        byChannel.clear();
    }
}
