package io.gatehouse.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Turns a client's JSON object into its {@link ClientMessage} record, checking every field the
 * way docs/protocol.md describes it; each problem is a {@link BadMessageException} whose hint says
 * what to send instead. The hints are part of what clients see: change them with care.
 */
final class ClientMessageReader {
    private ClientMessageReader() {}

    static ClientMessage read(MessageType type, JsonNode id, ObjectNode body) {
        return switch (type) {
            case AUTH -> new ClientMessage.Auth(id, text(body, "token"), text(body, "instance"));
            case PING -> new ClientMessage.Ping(id);
            case SUBSCRIBE -> {
                ChannelName channel = channel(type, id, body);
                yield new ClientMessage.Subscribe(id, channel, since(type, id, body));
            }
            case UNSUBSCRIBE -> new ClientMessage.Unsubscribe(id, channel(type, id, body));
            case PUBLISH -> {
                ChannelName channel = channel(type, id, body);
                JsonNode data = body.get("data");
                if (data == null) {
                    throw BadMessageException.badRequest("publish needs a data field", id, type);
                }
                yield new ClientMessage.Publish(id, channel, data);
            }
            case REFRESH -> {
                String token = text(body, "token");
                if (token == null || token.isEmpty()) {
                    throw BadMessageException.badRequest("refresh needs a token field", id, type);
                }
                yield new ClientMessage.Refresh(id, token);
            }
            case PRESENCE -> new ClientMessage.Presence(id, channel(type, id, body));
            case HISTORY -> {
                ChannelName channel = channel(type, id, body);
                StreamPosition since = since(type, id, body);
                yield new ClientMessage.History(id, channel, since, limit(type, id, body));
            }
            case CANCEL_TASK -> {
                String taskId = text(body, "task_id");
                if (taskId == null || taskId.isEmpty()) {
                    throw BadMessageException.badRequest("cancel_task needs a task_id field", id, type);
                }
                yield new ClientMessage.CancelTask(id, taskId);
            }
            case GET_STATS -> new ClientMessage.GetStats(id);
            default -> throw BadMessageException.badRequest("Unknown message type '" + type.wireName() + "'", id, null);
        };
    }

    /** A text field, or null when missing or not a string. */
    private static String text(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static ChannelName channel(MessageType type, JsonNode id, ObjectNode body) {
        String raw = text(body, "channel");
        if (raw == null) {
            throw BadMessageException.badRequest(type.wireName() + " needs a channel field", id, type);
        }
        Optional<ChannelName> channel = ChannelName.parse(raw);
        if (channel.isEmpty()) {
            throw BadMessageException.badRequest(ChannelName.grammarHint(), id, type);
        }
        return channel.get();
    }

    /** The optional {@code since} {offset, epoch} of subscribe and history. */
    private static StreamPosition since(MessageType type, JsonNode id, ObjectNode body) {
        JsonNode since = body.get("since");
        if (since == null || since.isNull()) {
            return null;
        }
        JsonNode offset = since.get("offset");
        JsonNode epoch = since.get("epoch");
        if (offset == null
                || !offset.canConvertToLong()
                || !offset.isIntegralNumber()
                || offset.asLong() < 0
                || epoch == null
                || !epoch.isTextual()) {
            throw BadMessageException.badRequest(
                    "since must be {\"offset\": N, \"epoch\": \"...\"}, as the last subscribed or message frame gave them",
                    id,
                    type);
        }
        return new StreamPosition(offset.asLong(), epoch.asText());
    }

    private static int limit(MessageType type, JsonNode id, ObjectNode body) {
        JsonNode limit = body.get("limit");
        if (limit == null || limit.isNull()) {
            return ClientMessage.NO_LIMIT;
        }
        if (!limit.isIntegralNumber() || !limit.canConvertToInt() || limit.asInt() < 0) {
            throw BadMessageException.badRequest("limit must be a whole number, 0 or more", id, type);
        }
        return limit.asInt();
    }
}
