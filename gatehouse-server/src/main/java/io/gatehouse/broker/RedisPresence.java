package io.gatehouse.broker;

import io.gatehouse.broker.RedisScripts.Script;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The presence of every channel, in Redis (docs/redis.md, "Nodes and presence"): one hash per
 * channel, field the connection id, value the client and the node that holds its connection; and
 * per node an index of the channels where it has entries. A read leaves out the entries of nodes
 * whose heartbeat ({@link RedisNodes}) stopped; the node that claims a dead node removes its
 * entries ({@link #reap}) and the hub announces their leaves.
 *
 * <p>This node also keeps its own entries in memory, so that it can list them again when it comes
 * back after the others took it for dead ({@link #addAgain}). An entry is sent to Redis while its
 * channel's local entries are locked ({@link ConcurrentHashMap#compute}), and so is its removal:
 * calls go out on the broker's one command connection in that order, and an entry added again
 * never lands after its removal.
 */
final class RedisPresence {
    /** Channels one {@link #reap} step clears, at most. */
    static final int REAP_CHANNELS_PER_STEP = 64;

    private final RedisScripts scripts;
    private final RedisKeys keys;
    private final String node;
    /** This node's entries: channel, then connection id. */
    private final Map<ChannelName, Map<String, PresenceClient>> mine = new ConcurrentHashMap<>();

    RedisPresence(RedisScripts scripts, RedisKeys keys, String node) {
        this.scripts = scripts;
        this.keys = keys;
        this.node = node;
    }

    /**
     * Adds or replaces the entry of {@code client}'s connection; the stage completes on a Lettuce
     * thread with how many connections of its user the channel lists now.
     */
    CompletableFuture<Integer> add(ChannelName channel, PresenceClient client, boolean announce) {
        List<CompletableFuture<Integer>> sent = new ArrayList<>(1);
        mine.compute(channel, (c, local) -> {
            Map<String, PresenceClient> entries = local == null ? new HashMap<>() : local;
            entries.put(client.connectionId(), client);
            sent.add(send(c, client, announce));
            return entries;
        });
        return sent.get(0);
    }

    /** Removes the entry; completes with how many connections of its user are left, or -1 if it was not listed. */
    CompletableFuture<Integer> remove(ChannelName channel, String connectionId, PresenceClient announceAs) {
        List<CompletableFuture<Integer>> sent = new ArrayList<>(1);
        mine.compute(channel, (c, local) -> {
            sent.add(removal(c, connectionId, announceAs));
            if (local == null) {
                return null;
            }
            local.remove(connectionId);
            return local.isEmpty() ? null : local;
        });
        return sent.get(0);
    }

    /**
     * Lists every entry of this node again (it was taken for dead, and its entries may have been
     * reaped); entries still listed are left as they are. The stage completes once Redis has them.
     */
    CompletableFuture<Void> addAgain() {
        List<CompletableFuture<Integer>> sent = new ArrayList<>();
        for (ChannelName channel : mine.keySet()) {
            mine.computeIfPresent(channel, (c, local) -> {
                local.values().forEach(client -> sent.add(send(c, client, false))); // back, not new: no join
                return local;
            });
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    /** The raw entries of live nodes, read on a Lettuce thread: {@link #decode} them elsewhere. */
    CompletableFuture<List<Object>> read(ChannelName channel) {
        return scripts.run(Script.PRESENCE_READ, new String[] {keys.presence(channel), keys.nodes()});
    }

    /**
     * One step of removing dead {@code deadNode}'s entries (this node claimed it): the stage completes,
     * on a Lettuce thread, with the step's reply, which {@link Reaped#of} reads.
     */
    CompletableFuture<List<Object>> reap(String deadNode) {
        return scripts.run(
                Script.NODE_REAP,
                new String[] {keys.reaping(), keys.nodePresence(deadNode)},
                deadNode,
                keys.presenceStart(),
                RedisKeys.presenceEnd(),
                Integer.toString(REAP_CHANNELS_PER_STEP),
                RedisKeys.presenceUsersEnd());
    }

    /** One entry a {@link #reap} step removed, with how many connections of its user the channel still lists. */
    record Gone(ChannelName channel, PresenceClient client, int connectionsLeft) {}

    /** What one {@link #reap} step removed, and whether the dead node has nothing left. */
    record Reaped(boolean done, List<Gone> clients) {
        static Reaped of(List<Object> reply) {
            List<Gone> clients = new ArrayList<>();
            for (int i = 1; i + 2 < reply.size(); i += 3) {
                PresenceClient client = RedisMessages.presenceClient(String.valueOf(reply.get(i + 1)));
                int left = (int) number(reply.get(i + 2));
                ChannelName.parse(String.valueOf(reply.get(i)))
                        .ifPresent(channel -> clients.add(new Gone(channel, client, left)));
            }
            return new Reaped(Long.valueOf(1).equals(reply.get(0)), List.copyOf(clients));
        }
    }

    /** The clients of {@code entries}, oldest connection first, as {@link Broker#presence} lists them. */
    static List<PresenceClient> decode(List<Object> entries) {
        List<PresenceClient> clients = new ArrayList<>(entries.size());
        for (Object entry : entries) {
            clients.add(RedisMessages.presenceClient(String.valueOf(entry)));
        }
        clients.sort(MemoryPresence.OLDEST_CONNECTION_FIRST);
        return List.copyOf(clients);
    }

    /**
     * The entry of {@code client} and, with {@code announce}, its join, published by the same
     * script in the message its user's count calls for (first or not).
     */
    private CompletableFuture<Integer> send(ChannelName channel, PresenceClient client, boolean announce) {
        return scripts.run(
                        Script.PRESENCE_ADD,
                        new String[] {
                            keys.presence(channel),
                            keys.nodePresence(node),
                            keys.presenceUsers(channel),
                            keys.events(channel)
                        },
                        client.connectionId(),
                        RedisMessages.presenceEntry(client, node),
                        channel.value(),
                        client.userId(),
                        announce ? event(channel, PresenceEvent.Kind.JOIN, client, true) : "",
                        announce ? event(channel, PresenceEvent.Kind.JOIN, client, false) : "")
                .thenApply(reply -> (int) number(reply.get(0)));
    }

    private CompletableFuture<Integer> removal(ChannelName channel, String connectionId, PresenceClient announceAs) {
        return scripts.run(
                        Script.PRESENCE_REMOVE,
                        new String[] {keys.presence(channel), keys.presenceUsers(channel), keys.events(channel)},
                        connectionId,
                        channel.value(),
                        keys.nodePresenceStart(),
                        RedisKeys.nodePresenceEnd(),
                        announceAs != null ? event(channel, PresenceEvent.Kind.LEAVE, announceAs, true) : "",
                        announceAs != null ? event(channel, PresenceEvent.Kind.LEAVE, announceAs, false) : "")
                .thenApply(reply -> (int) number(reply.get(0)));
    }

    private static String event(
            ChannelName channel, PresenceEvent.Kind kind, PresenceClient client, boolean firstOrLast) {
        return RedisDeliveries.presenceMessage(new PresenceEvent(channel, kind, client, firstOrLast));
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(o));
    }
}
