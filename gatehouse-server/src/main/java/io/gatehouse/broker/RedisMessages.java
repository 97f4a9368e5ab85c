package io.gatehouse.broker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.time.Instant;

/**
 * The JSON a {@link RedisBroker} keeps in Redis and sends through its pub/sub channels: a
 * publication's body, a presence entry, a presence event, a control command. Instants are ISO-8601
 * text, so they come back exactly; a publication's data is its JSON as a string, so it comes back
 * byte for byte. Every node of a deployment reads what the others write: a field is added, never
 * renamed.
 */
final class RedisMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisMessages() {}

    /** What a history entry and a publication message carry besides offset and epoch. */
    static String publicationBody(Instant publishedAt, String dataJson) {
        ObjectNode n = JSON.createObjectNode();
        n.put("at", publishedAt.toString());
        n.put("data", dataJson);
        return write(n);
    }

    static Publication publication(String channel, long offset, String epoch, String body) {
        JsonNode n = read(body);
        return new Publication(channel, offset, epoch, text(n, "data"), Instant.parse(text(n, "at")));
    }

    /** A presence hash entry's value: the client and the node holding its connection. */
    static String presenceEntry(PresenceClient client, String node) {
        ObjectNode n = client(client);
        n.put("node", node);
        return write(n);
    }

    static PresenceClient presenceClient(String json) {
        return client(read(json));
    }

    static String presenceEvent(PresenceEvent event) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", event.kind().name());
        n.put("first_or_last", event.firstOrLast());
        n.set("client", client(event.client()));
        return write(n);
    }

    static PresenceEvent presenceEvent(ChannelName channel, String json) {
        JsonNode n = read(json);
        return new PresenceEvent(
                channel,
                PresenceEvent.Kind.valueOf(text(n, "kind")),
                client(n.get("client")),
                n.path("first_or_last").asBoolean(true)); // a node of an older version sent every event
    }

    static String control(ControlCommand command) {
        ObjectNode n = JSON.createObjectNode();
        if (command instanceof ControlCommand.DisconnectUser c) {
            n.put("type", "disconnect_user").put("user", c.userId()).set("refusal", refusal(c.refusal()));
        } else if (command instanceof ControlCommand.DisconnectConnection c) {
            n.put("type", "disconnect_connection")
                    .put("connection", c.connectionId())
                    .set("refusal", refusal(c.refusal()));
        } else if (command instanceof ControlCommand.DisconnectCredential c) {
            n.put("type", "disconnect_credential")
                    .put("credential", c.credentialId())
                    .set("refusal", refusal(c.refusal()));
        } else if (command instanceof ControlCommand.ReplaceCredential c) {
            n.put("type", "replace_credential")
                    .put("credential", c.credentialId())
                    .put("instance", c.instanceId())
                    .put("connection", c.newConnectionId())
                    .put("since", c.since().toString());
        } else if (command instanceof ControlCommand.ServerSubscription c) {
            n.put("type", "server_subscription")
                    .put("user", c.userId())
                    .put("channel", c.channel())
                    .put("subscribe", c.subscribe());
        } else if (command instanceof ControlCommand.TaskChanged c) {
            n.put("type", "task_changed").put("owner", c.owner()).put("task", c.taskJson());
        } else {
            throw new IllegalArgumentException("unknown control command " + command);
        }
        return write(n);
    }

    static ControlCommand control(String json) {
        JsonNode n = read(json);
        String type = text(n, "type");
        return switch (type) {
            case "disconnect_user" -> new ControlCommand.DisconnectUser(text(n, "user"), refusal(n.get("refusal")));
            case "disconnect_connection" ->
                new ControlCommand.DisconnectConnection(text(n, "connection"), refusal(n.get("refusal")));
            case "disconnect_credential" ->
                new ControlCommand.DisconnectCredential(text(n, "credential"), refusal(n.get("refusal")));
            case "replace_credential" ->
                new ControlCommand.ReplaceCredential(
                        text(n, "credential"),
                        text(n, "instance"),
                        text(n, "connection"),
                        Instant.parse(text(n, "since")));
            case "server_subscription" ->
                new ControlCommand.ServerSubscription(
                        text(n, "user"), text(n, "channel"), n.path("subscribe").asBoolean());
            case "task_changed" -> new ControlCommand.TaskChanged(text(n, "owner"), text(n, "task"));
            default -> throw new IllegalArgumentException("unknown control command type " + type);
        };
    }

    private static ObjectNode client(PresenceClient c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("connection", c.connectionId());
        n.put("user", c.userId());
        n.put("name", c.name());
        n.put("at", c.connectedAt().toString());
        return n;
    }

    private static PresenceClient client(JsonNode n) {
        return new PresenceClient(
                text(n, "connection"), text(n, "user"), text(n, "name"), Instant.parse(text(n, "at")));
    }

    private static ObjectNode refusal(Refusal r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("code", r.code().name());
        n.put("hint", r.hint());
        n.put("retry_after_ms", r.retryAfterMillis());
        return n;
    }

    private static Refusal refusal(JsonNode n) {
        String name = text(n, "code");
        RefusalCode code = RefusalCode.fromName(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown refusal code " + name));
        return new Refusal(code, text(n, "hint"), n.path("retry_after_ms").asLong());
    }

    /** The text of field {@code name}; null when it is absent or null. */
    private static String text(JsonNode n, String name) {
        JsonNode v = n == null ? null : n.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always writes", e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a message of a Gatehouse node: " + e.getOriginalMessage(), e);
        }
    }
}
