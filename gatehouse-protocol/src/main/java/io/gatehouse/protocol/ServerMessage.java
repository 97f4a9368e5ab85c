package io.gatehouse.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A message the server sends (docs/protocol.md, "Messages"): one record per {@code type}. Replies
 * carry the request's {@code id} (or null). Channels are plain strings here: the server names
 * channels the client grammar cannot write (a personal channel {@code #auth0|123}).
 */
public sealed interface ServerMessage {
    default MessageType type() {
        return MessageType.of(getClass());
    }

    /** {@code connection_established}: the connection is authenticated and open. */
    record ConnectionEstablished(
            String connectionId, UserInfo user, Instant expiresAt, long heartbeatIntervalMillis, long serverTimeMillis)
            implements ServerMessage {}

    record Pong(JsonNode id, long timestampMillis) implements ServerMessage {}

    /**
     * {@code subscribed}: live from {@code position}; {@code publications} are those missed after the
     * request's {@code since}; {@code recovered} says whether they are all of them; {@code dataJson}
     * is what the application gave for a {@code subscribe: proxy} namespace, or null.
     */
    record Subscribed(
            JsonNode id,
            String channel,
            StreamPosition position,
            boolean recovered,
            List<Publication> publications,
            String dataJson)
            implements ServerMessage {
        public Subscribed {
            publications = List.copyOf(publications);
        }

        /** Without {@code data}: the namespace does not ask the application, or it gave none. */
        public Subscribed(
                JsonNode id,
                String channel,
                StreamPosition position,
                boolean recovered,
                List<Publication> publications) {
            this(id, channel, position, recovered, publications, null);
        }
    }

    /**
     * {@code unsubscribed}: the reply to {@code unsubscribe} ({@code code} and {@code message} null),
     * or sent unasked when the server ends a subscription (then with {@code code} and hint).
     */
    record Unsubscribed(JsonNode id, String channel, RefusalCode code, String message) implements ServerMessage {
        /** The reply to an {@code unsubscribe}. */
        public static Unsubscribed reply(JsonNode id, String channel) {
            return new Unsubscribed(id, channel, null, null);
        }

        /** The server ended the subscription, for {@code refusal}. */
        public static Unsubscribed ended(String channel, Refusal refusal) {
            return new Unsubscribed(null, channel, refusal.code(), refusal.hint());
        }
    }

    record Published(JsonNode id, String channel, StreamPosition position) implements ServerMessage {}

    /** {@code refreshed}: the connection holds the new credential, which expires at {@code expiresAt} (or never). */
    record Refreshed(JsonNode id, Instant expiresAt) implements ServerMessage {}

    /** {@code message}: one publication of a subscribed channel. */
    record Message(Publication publication) implements ServerMessage {}

    /** {@code join}: {@code client} subscribed to {@code channel} (a namespace with join_leave). */
    record Join(String channel, PresenceClient client) implements ServerMessage {}

    /** {@code leave}: {@code client} left {@code channel}. */
    record Leave(String channel, PresenceClient client) implements ServerMessage {}

    /** {@code token_expiring}: refresh within {@code expiresInMillis} or be closed with TOKEN_EXPIRED. */
    record TokenExpiring(long expiresInMillis) implements ServerMessage {}

    /** The {@code presence} reply: the channel's clients, oldest connection first. */
    record Presence(JsonNode id, String channel, List<PresenceClient> clients) implements ServerMessage {
        public Presence {
            clients = List.copyOf(clients);
        }
    }

    /** The {@code history} reply: kept publications, oldest first, and the channel's position. */
    record History(JsonNode id, String channel, List<Publication> publications, StreamPosition position)
            implements ServerMessage {
        public History {
            publications = List.copyOf(publications);
        }
    }

    /**
     * {@code task_progress}: the state of one task of the connection's user (docs/protocol.md,
     * "Tasks"), pushed on every change, after connect for each unfinished task, and as the reply to
     * {@code cancel_task} (then with its {@code id}). {@code task} is the task object as the HTTP
     * API answers it.
     */
    record TaskProgress(JsonNode id, JsonNode task) implements ServerMessage {
        public TaskProgress {
            Objects.requireNonNull(task, "task");
        }
    }

    /**
     * {@code stats_update}: the node's statistics (docs/protocol.md, "Live statistics"): the reply to
     * {@code get_stats} (then with its {@code id}, {@code data} the whole Stats with history), or
     * pushed every dashboard.stats_interval to subscribers of {@code gatehouse:stats} ({@code data}
     * {node, now}). {@code dataJson} is the data object as JSON text, written as it is: the server
     * encodes a history once per interval, not once per request.
     */
    record StatsUpdate(JsonNode id, String dataJson) implements ServerMessage {
        public StatsUpdate {
            Objects.requireNonNull(dataJson, "dataJson");
        }
    }

    /** {@code error}: a request was refused; the connection stays open. */
    record Error(JsonNode id, RefusalCode code, String message) implements ServerMessage {
        public static Error of(Refusal refusal, JsonNode id) {
            return new Error(id, refusal.code(), refusal.hint());
        }
    }
}
