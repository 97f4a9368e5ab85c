package io.gatehouse.broker;

import io.gatehouse.protocol.PresenceClient;

/** A client joined or left a channel; sent to the channel's other subscribers as {@code join} / {@code leave}. */
public record PresenceEvent(String channel, Kind kind, PresenceClient client) {
    public enum Kind {
        JOIN,
        LEAVE
    }
}
