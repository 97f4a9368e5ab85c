package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names a {@link RedisBroker} uses in Redis, all under one key prefix (docs/redis.md): per
 * channel {@code PREFIX ch:{CHANNEL}:meta}, {@code :history}, {@code :presence} and the pub/sub
 * channel {@code :events}; per node {@code PREFIX node:NODE:presence}; per deployment the pub/sub
 * channel {@code PREFIX control} and the sorted sets {@code PREFIX nodes} and
 * {@code PREFIX nodes:reaping}. The braces
 * are a Redis Cluster hash tag: a channel's keys share a slot, as its publish script needs. A
 * personal channel ({@code #USER}) may hold braces: the tag then ends at its first {@code }}, the
 * same for every key of the channel, so they still share a slot.
 */
final class RedisKeys {
    /** Letters, digits and {@code _ - . :}: no glob character, so {@code PREFIX*} matches only ours. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_\\-.:]{1,64}");

    private static final String CHANNEL = "ch:{";
    private static final String EVENTS = "}:events";
    private static final String PRESENCE = "}:presence";
    private static final String PRESENCE_USERS = "}:users";
    private static final String NODE_PRESENCE = ":presence";

    private final String prefix;

    RedisKeys(String prefix) {
        if (!isPrefix(prefix)) {
            throw new IllegalArgumentException("A Redis key prefix is 1 to 64 of A-Z a-z 0-9 _ - . : (such as"
                    + " \"gatehouse:\"), not " + (prefix == null ? "null" : "\"" + prefix + "\""));
        }
        this.prefix = prefix;
    }

    /** Whether {@code prefix} may start a deployment's keys: 1 to 64 of {@code A-Z a-z 0-9 _ - . :}. */
    static boolean isPrefix(String prefix) {
        return prefix != null && PREFIX.matcher(prefix).matches();
    }

    String prefix() {
        return prefix;
    }

    /** Hash: epoch, offset, history_until, last_time. */
    String meta(ChannelName channel) {
        return ofChannel(channel, "}:meta");
    }

    /** Stream: the kept publications, entry id {@code OFFSET-0}. */
    String history(ChannelName channel) {
        return ofChannel(channel, "}:history");
    }

    /** Hash: connection id to the present client. */
    String presence(ChannelName channel) {
        return ofChannel(channel, PRESENCE);
    }

    /** Hash: user id to how many connections of that user the channel's {@link #presence} lists. */
    String presenceUsers(ChannelName channel) {
        return ofChannel(channel, PRESENCE_USERS);
    }

    /** What goes after a channel's name in its {@link #presenceUsers} key. */
    static String presenceUsersEnd() {
        return PRESENCE_USERS;
    }

    /** Pub/sub channel: the channel's publications and presence events, in one order. */
    String events(ChannelName channel) {
        return ofChannel(channel, EVENTS);
    }

    /** Pub/sub channel: control commands for every node. */
    String control() {
        return prefix + "control";
    }

    /** Sorted set: node id to the Redis time (ms) until which its heartbeat says it is alive. */
    String nodes() {
        return prefix + "nodes";
    }

    /** Sorted set: dead node id to the Redis time (ms) until which a node's claim to remove its entries holds. */
    String reaping() {
        return prefix + "nodes:reaping";
    }

    /** Hash: channel to how many of its presence entries {@code node} holds. */
    String nodePresence(String node) {
        return nodePresenceStart() + node + NODE_PRESENCE;
    }

    /** What goes before a node's id in its {@link #nodePresence} key (for a script that makes the key). */
    String nodePresenceStart() {
        return prefix + "node:";
    }

    /** What goes after a node's id in its {@link #nodePresence} key. */
    static String nodePresenceEnd() {
        return NODE_PRESENCE;
    }

    /** What goes before a channel's name in its {@link #presence} key (for a script that makes the key). */
    String presenceStart() {
        return prefix + CHANNEL;
    }

    /** What goes after a channel's name in its {@link #presence} key. */
    static String presenceEnd() {
        return PRESENCE;
    }

    /** The channel whose {@link #events} pub/sub channel is {@code name}, if it is one of ours. */
    Optional<ChannelName> channelOfEvents(String name) {
        String start = prefix + CHANNEL;
        if (!name.startsWith(start) || !name.endsWith(EVENTS) || name.length() <= start.length() + EVENTS.length()) {
            return Optional.empty();
        }
        return ChannelName.parse(name.substring(start.length(), name.length() - EVENTS.length()));
    }

    private String ofChannel(ChannelName channel, String suffix) {
        return prefix + CHANNEL + channel.value() + suffix;
    }
}
