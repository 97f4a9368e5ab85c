package io.gatehouse.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a server's JSON object into its {@link ServerMessage} record, for clients. Lenient where a
 * newer server may add fields (they are ignored); strict where a client would otherwise act on
 * nonsense (a missing channel, offset or code is a {@link BadMessageException}).
 */
final class ServerMessageReader {
    private ServerMessageReader() {}

    static ServerMessage read(MessageType type, JsonNode id, ObjectNode n) {
        return switch (type) {
            case CONNECTION_ESTABLISHED -> {
                JsonNode user = object(n, "user", type);
                List<String> roles = new ArrayList<>();
                user.path("roles").forEach(r -> roles.add(r.asText()));
                yield new ServerMessage.ConnectionEstablished(
                        text(n, "connection_id", type),
                        new UserInfo(text(user, "id", type), user.path("name").asText(null), roles),
                        instant(n, "expires_at", type),
                        n.path("heartbeat_interval_ms").asLong(),
                        n.path("server_time").asLong());
            }
            case PONG -> new ServerMessage.Pong(id, n.path("timestamp").asLong());
            case SUBSCRIBED ->
                new ServerMessage.Subscribed(
                        id,
                        text(n, "channel", type),
                        position(n, type),
                        n.path("recovered").asBoolean(false),
                        publications(n, type),
                        n.hasNonNull("data") ? n.get("data").toString() : null);
            case UNSUBSCRIBED ->
                new ServerMessage.Unsubscribed(
                        id,
                        text(n, "channel", type),
                        n.hasNonNull("code") ? code(n, type) : null,
                        n.path("message").asText(null));
            case PUBLISHED -> new ServerMessage.Published(id, text(n, "channel", type), position(n, type));
            case REFRESHED -> new ServerMessage.Refreshed(id, instant(n, "expires_at", type));
            case MESSAGE -> new ServerMessage.Message(publication(n, type));
            case JOIN ->
                new ServerMessage.Join(text(n, "channel", type), presenceClient(object(n, "client", type), type));
            case LEAVE ->
                new ServerMessage.Leave(text(n, "channel", type), presenceClient(object(n, "client", type), type));
            case TOKEN_EXPIRING ->
                new ServerMessage.TokenExpiring(n.path("expires_in_ms").asLong());
            case PRESENCE -> {
                List<PresenceClient> clients = new ArrayList<>();
                n.path("clients").forEach(c -> clients.add(presenceClient(c, type)));
                yield new ServerMessage.Presence(id, text(n, "channel", type), clients);
            }
            case HISTORY ->
                new ServerMessage.History(id, text(n, "channel", type), publications(n, type), position(n, type));
            case TASK_PROGRESS -> new ServerMessage.TaskProgress(id, object(n, "task", type));
            case STATS_UPDATE ->
                new ServerMessage.StatsUpdate(id, object(n, "data", type).toString());
            case ERROR ->
                new ServerMessage.Error(id, code(n, type), n.path("message").asText(null));
            default -> throw bad("'" + type.wireName() + "' is a client message", type);
        };
    }

    private static StreamPosition position(JsonNode n, MessageType type) {
        JsonNode offset = n.get("offset");
        if (offset == null || !offset.isIntegralNumber()) {
            throw bad("offset missing", type);
        }
        return new StreamPosition(offset.asLong(), text(n, "epoch", type));
    }

    private static List<Publication> publications(JsonNode n, MessageType type) {
        List<Publication> list = new ArrayList<>();
        n.path("publications").forEach(p -> list.add(publication(p, type)));
        return list;
    }

    private static Publication publication(JsonNode n, MessageType type) {
        StreamPosition at = position(n, type);
        JsonNode data = n.get("data");
        return new Publication(
                text(n, "channel", type),
                at.offset(),
                at.epoch(),
                data == null ? "null" : data.toString(),
                instant(n, "published_at", type));
    }

    private static PresenceClient presenceClient(JsonNode n, MessageType type) {
        return new PresenceClient(
                text(n, "connection_id", type),
                text(n, "user_id", type),
                n.path("name").asText(null),
                instant(n, "connected_at", type));
    }

    private static RefusalCode code(JsonNode n, MessageType type) {
        String name = text(n, "code", type);
        // A code this client does not know yet: the safest reading of an unknown refusal.
        return RefusalCode.fromName(name).orElse(RefusalCode.INTERNAL_ERROR);
    }

    private static JsonNode object(JsonNode n, String field, MessageType type) {
        JsonNode v = n.get(field);
        if (v == null || !v.isObject()) {
            throw bad(field + " missing", type);
        }
        return v;
    }

    private static String text(JsonNode n, String field, MessageType type) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw bad(field + " missing", type);
        }
        return v.asText();
    }

    private static Instant instant(JsonNode n, String field, MessageType type) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw bad(field + " is not an ISO-8601 instant", type);
        }
    }

    private static BadMessageException bad(String what, MessageType type) {
        return BadMessageException.badRequest("Server message " + type.wireName() + ": " + what, null, type);
    }
}
