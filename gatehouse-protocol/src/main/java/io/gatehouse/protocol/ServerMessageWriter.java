package io.gatehouse.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * The JSON shape of every {@link ServerMessage}, written in one place: {@code type} first, then
 * {@code id} when the request had one, then the fields of docs/protocol.md in their order. A
 * publication's {@code data} is the publisher's JSON text, written as it is.
 */
final class ServerMessageWriter {
    private final ObjectMapper json;

    ServerMessageWriter(ObjectMapper json) {
        this.json = json;
    }

    /** The message as an object, with {@code type} (and {@code id}) when {@code withType}. */
    ObjectNode tree(ServerMessage message, boolean withType) {
        ObjectNode n = json.createObjectNode();
        if (withType) {
            n.put("type", message.type().wireName());
        }
        if (message instanceof ServerMessage.ConnectionEstablished m) {
            n.put("connection_id", m.connectionId());
            ObjectNode user = n.putObject("user");
            user.put("id", m.user().id());
            user.put("name", m.user().name());
            ArrayNode roles = user.putArray("roles");
            m.user().roles().forEach(roles::add);
            n.put("expires_at", timestamp(m.expiresAt()));
            n.put("heartbeat_interval_ms", m.heartbeatIntervalMillis());
            n.put("server_time", m.serverTimeMillis());
        } else if (message instanceof ServerMessage.Pong m) {
            id(n, m.id(), withType);
            n.put("timestamp", m.timestampMillis());
        } else if (message instanceof ServerMessage.Subscribed m) {
            id(n, m.id(), withType);
            n.put("channel", m.channel());
            position(n, m.position());
            n.put("recovered", m.recovered());
            publications(n.putArray("publications"), m.publications());
            if (m.dataJson() != null) {
                n.putRawValue("data", new RawValue(m.dataJson()));
            }
        } else if (message instanceof ServerMessage.Unsubscribed m) {
            id(n, m.id(), withType);
            n.put("channel", m.channel());
            if (m.code() != null) {
                n.put("code", m.code().name());
                n.put("message", m.message());
            }
        } else if (message instanceof ServerMessage.Published m) {
            id(n, m.id(), withType);
            n.put("channel", m.channel());
            position(n, m.position());
        } else if (message instanceof ServerMessage.Refreshed m) {
            id(n, m.id(), withType);
            n.put("expires_at", timestamp(m.expiresAt()));
        } else if (message instanceof ServerMessage.Message m) {
            publication(n, m.publication());
        } else if (message instanceof ServerMessage.Join m) {
            n.put("channel", m.channel());
            presenceClient(n.putObject("client"), m.client());
        } else if (message instanceof ServerMessage.Leave m) {
            n.put("channel", m.channel());
            presenceClient(n.putObject("client"), m.client());
        } else if (message instanceof ServerMessage.TokenExpiring m) {
            n.put("expires_in_ms", m.expiresInMillis());
        } else if (message instanceof ServerMessage.Presence m) {
            id(n, m.id(), withType);
            n.put("channel", m.channel());
            ArrayNode clients = n.putArray("clients");
            m.clients().forEach(c -> presenceClient(clients.addObject(), c));
            presenceUsers(n.putArray("users"), m.clients());
        } else if (message instanceof ServerMessage.History m) {
            id(n, m.id(), withType);
            n.put("channel", m.channel());
            publications(n.putArray("publications"), m.publications());
            position(n, m.position());
        } else if (message instanceof ServerMessage.TaskProgress m) {
            id(n, m.id(), withType);
            n.set("task", m.task());
        } else if (message instanceof ServerMessage.StatsUpdate m) {
            id(n, m.id(), withType);
            n.putRawValue("data", new RawValue(m.dataJson()));
        } else if (message instanceof ServerMessage.Error m) {
            id(n, m.id(), withType);
            n.put("code", m.code().name());
            n.put("message", m.message());
        }

        return n;
    }

    /**
     * The {@code message} frame every subscriber of the channel receives, streamed without a tree:
     * fan-out encodes each publication once.
     */
    byte[] message(Publication p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96 + p.dataJson().length());
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", MessageType.MESSAGE.wireName());
            g.writeStringField("channel", p.channel());
            g.writeNumberField("offset", p.offset());
            g.writeStringField("epoch", p.epoch());
            g.writeFieldName("data");
            g.writeRawValue(p.dataJson());
            g.writeStringField("published_at", p.publishedAt().toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void id(ObjectNode n, JsonNode id, boolean withType) {
        if (withType && id != null && !id.isNull()) {
            n.set("id", id);
        }
    }

    private static void position(ObjectNode n, StreamPosition position) {
        n.put("offset", position.offset());
        n.put("epoch", position.epoch());
    }

    private static void publications(ArrayNode list, List<Publication> publications) {
        publications.forEach(p -> publication(list.addObject(), p));
    }

    /** {channel, offset, epoch, data, published_at}. */
    private static void publication(ObjectNode n, Publication p) {
        n.put("channel", p.channel());
        n.put("offset", p.offset());
        n.put("epoch", p.epoch());
        n.putRawValue("data", new RawValue(p.dataJson()));
        n.put("published_at", timestamp(p.publishedAt()));
    }

    /** {connection_id, user_id, name, connected_at} (SPEC §6). */
    private static void presenceClient(ObjectNode n, PresenceClient c) {
        n.put("connection_id", c.connectionId());
        n.put("user_id", c.userId());
        n.put("name", c.name());
        n.put("connected_at", timestamp(c.connectedAt()));
    }

    /**
     * The users among {@code clients}, each once with its number of connections, in the order of
     * their oldest connection: {user_id, name, connections} (a user with three tabs is one user).
     */
    private static void presenceUsers(ArrayNode list, List<PresenceClient> clients) {
        java.util.Map<String, ObjectNode> byUser = new java.util.HashMap<>();
        for (PresenceClient c : clients) {
            ObjectNode u = byUser.get(c.userId());
            if (u == null) {
                u = list.addObject()
                        .put("user_id", c.userId())
                        .put("name", c.name())
                        .put("connections", 0);
                byUser.put(c.userId(), u);
            }
            u.put("connections", u.path("connections").asInt() + 1);
        }
    }

    /** ISO-8601 UTC, or null. */
    static String timestamp(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
