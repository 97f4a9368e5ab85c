package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;

/**
 * A client joined or left a channel; sent to the channel's other subscribers as {@code join} /
 * {@code leave}. What the broker carries, like {@link ControlCommand}; the rules that make one are
 * {@code io.gatehouse.presence.Presence}'s.
 */
public record PresenceEvent(ChannelName channel, Kind kind, PresenceClient client, boolean firstOrLast) {
    /**
     * An event that is its user's first join or last leave ({@code firstOrLast}: docs/protocol.md,
     * "Presence"): the one clients and webhooks are told of. The others still travel, in order,
     * so that each subscription knows where its own join stands.
     */
    public PresenceEvent(ChannelName channel, Kind kind, PresenceClient client) {
        this(channel, kind, client, true);
    }

    public enum Kind {
        JOIN,
        LEAVE
    }
}
