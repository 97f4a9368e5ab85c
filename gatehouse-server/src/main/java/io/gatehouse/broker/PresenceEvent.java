package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;

/**
 * A client joined or left a channel; sent to the channel's other subscribers as {@code join} /
 * {@code leave}. What the broker carries, like {@link ControlCommand}; the rules that make one are
 * {@code io.gatehouse.presence.Presence}'s.
 */
public record PresenceEvent(ChannelName channel, Kind kind, PresenceClient client) {
    public enum Kind {
        JOIN,
        LEAVE
    }
}
