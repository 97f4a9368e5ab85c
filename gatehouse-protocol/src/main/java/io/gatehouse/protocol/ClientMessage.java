package io.gatehouse.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A message a client sends (docs/protocol.md, "Messages"): one record per {@code type}. Every
 * message may carry an {@code id} (any JSON value, or null) that the reply repeats. {@link WireCodec}
 * reads and writes them; a record that exists has already passed the codec's checks (a channel
 * that follows the grammar, a well-formed {@code since}).
 */
public sealed interface ClientMessage {
    /** {@code limit} of {@link History} when the client named none. */
    int NO_LIMIT = Integer.MAX_VALUE;

    /** The {@code id} to echo, or null. */
    JsonNode id();

    default MessageType type() {
        return MessageType.of(getClass());
    }

    /**
     * {@code auth}: the first message of a connection that had no credential in its upgrade.
     * {@code token} may be null (the server then refuses with TOKEN_MISSING); {@code instance} is
     * the client instance id of SPEC §7 (once per page load or client object), or null.
     */
    record Auth(JsonNode id, String token, String instance) implements ClientMessage {
        @Override
        public String toString() {
            return "Auth[token=" + (token == null ? "null" : "(" + token.length() + " chars)") + ", instance="
                    + instance + "]";
        }
    }

    /** {@code ping}: answered with {@code pong}. */
    record Ping(JsonNode id) implements ClientMessage {}

    /** {@code subscribe}; {@code since} (or null) is the last position the client processed. */
    record Subscribe(JsonNode id, ChannelName channel, StreamPosition since) implements ClientMessage {
        public Subscribe {
            Objects.requireNonNull(channel, "channel");
        }
    }

    record Unsubscribe(JsonNode id, ChannelName channel) implements ClientMessage {
        public Unsubscribe {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /** {@code publish}: {@code data} is any JSON value. */
    record Publish(JsonNode id, ChannelName channel, JsonNode data) implements ClientMessage {
        public Publish {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(data, "data");
        }
    }

    /** {@code refresh}: an in-band credential for the same user. */
    record Refresh(JsonNode id, String token) implements ClientMessage {
        public Refresh {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "Refresh[id=" + id + ", token=(" + token.length() + " chars)]";
        }
    }

    /** {@code presence}: who is subscribed to {@code channel}. */
    record Presence(JsonNode id, ChannelName channel) implements ClientMessage {
        public Presence {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /**
     * {@code history}: the kept publications after {@code since} (or the newest ones without it), at
     * most {@code limit} ({@link #NO_LIMIT} when the client named none).
     */
    record History(JsonNode id, ChannelName channel, StreamPosition since, int limit) implements ClientMessage {
        public History {
            Objects.requireNonNull(channel, "channel");
            if (limit < 0) {
                throw new IllegalArgumentException("limit must be 0 or more");
            }
        }
    }

    /** {@code cancel_task}: the owner (or an admin) asks the worker of task {@code taskId} to stop. */
    record CancelTask(JsonNode id, String taskId) implements ClientMessage {
        public CancelTask {
            Objects.requireNonNull(taskId, "taskId");
        }
    }

    /**
     * {@code get_stats}: the node's live statistics with their history (admin connections only);
     * answered with {@code stats_update}.
     */
    record GetStats(JsonNode id) implements ClientMessage {}
}
