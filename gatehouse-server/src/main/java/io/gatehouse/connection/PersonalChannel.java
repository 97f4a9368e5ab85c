package io.gatehouse.connection;

import io.gatehouse.protocol.ChannelName;

/**
 * A connection's personal channel (SPEC §5, {@code #user}), which it is subscribed to from connect
 * on, and whether a subscribe or unsubscribe has named it since: the first explicit subscribe
 * recovers what was missed before connect instead of being refused as a duplicate. Confined to the
 * connection's thread.
 */
final class PersonalChannel {
    /** Null when the user id has no personal channel. */
    private final ChannelName channel;

    private boolean claimed;

    PersonalChannel(ChannelName channel) {
        this.channel = channel;
    }

    /** Null when the user id has none. */
    ChannelName channel() {
        return channel;
    }

    /** Whether {@code c} is this channel and no subscribe or unsubscribe named it before; marks it named. */
    boolean claim(ChannelName c) {
        if (channel == null || claimed || !channel.equals(c)) {
            return false;
        }
        claimed = true;
        return true;
    }

    /** Whether a subscribe or unsubscribe named this channel. */
    boolean named() {
        return claimed;
    }

    /** An unsubscribe named {@code c}: if it is this channel, a later subscribe is an ordinary one. */
    void released(ChannelName c) {
        if (c.equals(channel)) {
            claimed = true;
        }
    }
}
