package io.gatehouse.protocol;

import java.util.Locale;
import java.util.Map;
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
    CANCEL_TASK,
    GET_STATS,
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
    TASK_PROGRESS,
    STATS_UPDATE,
    ERROR;

    /** The type of each message record, in one place (presence and history replies carry the request's type). */
    private static final Map<Class<?>, MessageType> OF_RECORD = Map.ofEntries(
            Map.entry(ClientMessage.Auth.class, AUTH),
            Map.entry(ClientMessage.Ping.class, PING),
            Map.entry(ClientMessage.Subscribe.class, SUBSCRIBE),
            Map.entry(ClientMessage.Unsubscribe.class, UNSUBSCRIBE),
            Map.entry(ClientMessage.Publish.class, PUBLISH),
            Map.entry(ClientMessage.Refresh.class, REFRESH),
            Map.entry(ClientMessage.Presence.class, PRESENCE),
            Map.entry(ClientMessage.History.class, HISTORY),
            Map.entry(ClientMessage.CancelTask.class, CANCEL_TASK),
            Map.entry(ClientMessage.GetStats.class, GET_STATS),
            Map.entry(ServerMessage.ConnectionEstablished.class, CONNECTION_ESTABLISHED),
            Map.entry(ServerMessage.Pong.class, PONG),
            Map.entry(ServerMessage.Subscribed.class, SUBSCRIBED),
            Map.entry(ServerMessage.Unsubscribed.class, UNSUBSCRIBED),
            Map.entry(ServerMessage.Published.class, PUBLISHED),
            Map.entry(ServerMessage.Refreshed.class, REFRESHED),
            Map.entry(ServerMessage.Message.class, MESSAGE),
            Map.entry(ServerMessage.Join.class, JOIN),
            Map.entry(ServerMessage.Leave.class, LEAVE),
            Map.entry(ServerMessage.TokenExpiring.class, TOKEN_EXPIRING),
            Map.entry(ServerMessage.TaskProgress.class, TASK_PROGRESS),
            Map.entry(ServerMessage.StatsUpdate.class, STATS_UPDATE),
            Map.entry(ServerMessage.Presence.class, PRESENCE),
            Map.entry(ServerMessage.History.class, HISTORY),
            Map.entry(ServerMessage.Error.class, ERROR));

    /** Whether clients send this type (presence and history replies carry the same type back). */
    public boolean isClientMessage() {
        return ordinal() <= GET_STATS.ordinal();
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a {@link ClientMessage} or {@link ServerMessage} record class. */
    static MessageType of(Class<?> messageRecord) {
        return OF_RECORD.get(messageRecord);
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
