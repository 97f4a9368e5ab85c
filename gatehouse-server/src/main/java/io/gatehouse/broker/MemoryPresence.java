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

    /**
     * Channel value to its clients by connection id. An inner map is changed only inside
     * {@code byChannel.compute} of its channel, so an emptied map is removed without losing a
     * concurrent add; readers see a thread-safe, weakly consistent view.
     */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, PresenceClient>> byChannel =
            new ConcurrentHashMap<>();

    void add(ChannelName channel, PresenceClient client) {
        byChannel.compute(channel.value(), (k, clients) -> {
            ConcurrentHashMap<String, PresenceClient> m = clients == null ? new ConcurrentHashMap<>() : clients;
            m.put(client.connectionId(), client);
            return m;
        });
    }

    void remove(ChannelName channel, String connectionId) {
        byChannel.computeIfPresent(channel.value(), (k, clients) -> {
            clients.remove(connectionId);
            return clients.isEmpty() ? null : clients;
        });
    }

    /** The clients of {@code channel}, oldest connection first. */
    List<PresenceClient> of(ChannelName channel) {
        Map<String, PresenceClient> clients = byChannel.get(channel.value());
        if (clients == null) {
            return List.of();
        }
        List<PresenceClient> list = new ArrayList<>(clients.values());
        list.sort(OLDEST_CONNECTION_FIRST);
        return List.copyOf(list);
    }

    void clear() {
        byChannel.clear();
    }
}
