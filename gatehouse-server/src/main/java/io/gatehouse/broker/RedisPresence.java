package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The presence of every channel, in Redis: one hash per channel, field the connection id, value the
 * client and the node that holds its connection (docs/redis.md). The node is there for what comes
 * next (issue 15): each node refreshing a heartbeat, and the entries of a node whose heartbeat
 * stopped removed by the others. Until then an entry stays until it is removed.
 *
 * <p>Calls go out on the broker's one command connection in the order they are made, so a client's
 * removal is never applied before its addition when the hub calls them in that order.
 */
final class RedisPresence {
    private final RedisAsyncCommands<String, String> commands;
    private final RedisKeys keys;
    private final String node;

    RedisPresence(RedisAsyncCommands<String, String> commands, RedisKeys keys, String node) {
        this.commands = commands;
        this.keys = keys;
        this.node = node;
    }

    /** Adds or replaces the entry of {@code client}'s connection; the stage completes on a Lettuce thread. */
    CompletableFuture<Void> add(ChannelName channel, PresenceClient client) {
        return commands.hset(keys.presence(channel), client.connectionId(), RedisMessages.presenceEntry(client, node))
                .toCompletableFuture()
                .thenApply(added -> null);
    }

    CompletableFuture<Void> remove(ChannelName channel, String connectionId) {
        return commands.hdel(keys.presence(channel), connectionId)
                .toCompletableFuture()
                .thenApply(removed -> null);
    }

    /** The raw entries, read on a Lettuce thread: {@link #decode} them elsewhere. */
    CompletableFuture<List<String>> read(ChannelName channel) {
        return commands.hvals(keys.presence(channel)).toCompletableFuture();
    }

    /** The clients of {@code entries}, oldest connection first, as {@link Broker#presence} lists them. */
    static List<PresenceClient> decode(List<String> entries) {
        List<PresenceClient> clients = new ArrayList<>(entries.size());
        for (String entry : entries) {
            clients.add(RedisMessages.presenceClient(entry));
        }
        clients.sort(MemoryPresence.OLDEST_CONNECTION_FIRST);
        return List.copyOf(clients);
    }
}
