package io.gatehouse.protocol;

import java.util.Locale;
import java.util.Optional;

/** Every {@code type} of the message protocol (SPEC §4), client to server and back. */
public enum MessageType {
    // client to server (presence and history replies carry the same type)
    AUTH,
    PING,
    SUBSCRIBE,
    UNSUBSCRIBE,
    PUBLISH,
    REFRESH,
    PRESENCE,
    HISTORY,
    // server to client
    CONNECTION_ESTABLISHED,
    PONG,
    SUBSCRIBED,
    UNSUBSCRIBED,
    PUBLISHED,
    REFRESHED,
    MESSAGE,
    JOIN,
    LEAVE,
    TOKEN_EXPIRING,
    ERROR;

    /** Whether clients send this type (presence and history replies carry the same type back). */
    public boolean isClientMessage() {
        return ordinal() <= HISTORY.ordinal();
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<MessageType> fromWire(String s) {
        for (MessageType t : values()) {
            if (t.wireName().equals(s)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
