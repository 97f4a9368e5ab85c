package io.gatehouse.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.User;
import io.gatehouse.broker.PresenceEvent;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.protocol.BadMessageException;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.MessageType;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The JSON form of protocol messages (SPEC §4), until a typed codec in gatehouse-protocol replaces it. Timestamps named {@code *_at} are ISO-8601 UTC
 * strings; {@code server_time} and {@code timestamp} are Unix epoch milliseconds.
 */
public final class MessageCodec {
    private final ObjectMapper json;

    public MessageCodec(ObjectMapper json) {
        this.json = json;
    }

    public ObjectMapper json() {
        return json;
    }

    /**
     * Parses one client frame.
     *
     * @throws BadMessageException BAD_REQUEST, with a hint saying what is wrong
     */
    public ParsedMessage parse(String text) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadMessageException(
                    RefusalCode.BAD_REQUEST.refusal("Malformed JSON; send one JSON object per text frame"), null);
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new BadMessageException(
                    RefusalCode.BAD_REQUEST.refusal("A message must be a JSON object with a type"), null);
        }
        JsonNode id = obj.get("id");
        JsonNode type = obj.get("type");
        if (type == null || !type.isTextual()) {
            throw new BadMessageException(RefusalCode.BAD_REQUEST.refusal("The message has no type"), id);
        }
        MessageType t = MessageType.fromWire(type.asText()).orElse(null);
        if (t == null || !isClientType(t)) {
            throw new BadMessageException(
                    RefusalCode.BAD_REQUEST.refusal("Unknown message type '" + abbreviate(type.asText()) + "'"), id);
        }
        return new ParsedMessage(t, id, obj);
    }

    private static boolean isClientType(MessageType t) {
        return switch (t) {
            case AUTH, PING, SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REFRESH, PRESENCE, HISTORY -> true;
            default -> false;
        };
    }

    /** A new reply object of {@code type}, echoing {@code id} when the request had one. */
    public ObjectNode reply(MessageType type, JsonNode id) {
        ObjectNode n = json.createObjectNode();
        n.put("type", type.wireName());
        if (id != null && !id.isNull()) {
            n.set("id", id);
        }
        return n;
    }

    public ObjectNode user(User user) {
        ObjectNode n = json.createObjectNode();
        n.put("id", user.id());
        n.put("name", user.name());
        n.set("roles", json.valueToTree(user.roles()));
        return n;
    }

    public EncodedMessage error(Refusal refusal, JsonNode id) {
        ObjectNode n = reply(MessageType.ERROR, id);
        n.put("code", refusal.code().name());
        n.put("message", refusal.hint());
        return encode(n);
    }

    public EncodedMessage encode(ObjectNode node) {
        try {
            return new EncodedMessage(json.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code message} frame every subscriber of the channel receives; encoded once per publication. */
    public EncodedMessage message(Publication p) {
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
        return new EncodedMessage(out.toByteArray());
    }

    /** A publication as the HTTP API and {@code subscribed} show it. */
    public ObjectNode publication(Publication p) {
        ObjectNode n = json.createObjectNode();
        n.put("channel", p.channel());
        n.put("offset", p.offset());
        n.put("epoch", p.epoch());
        try {
            n.set("data", json.readTree(p.dataJson()));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        n.put("published_at", p.publishedAt().toString());
        return n;
    }

    /** A presence client as the protocol and the HTTP API show it (SPEC §6). */
    public ObjectNode presenceClient(PresenceClient c) {
        ObjectNode n = json.createObjectNode();
        n.put("connection_id", c.connectionId());
        n.put("user_id", c.userId());
        n.put("name", c.name());
        n.put("connected_at", timestamp(c.connectedAt()));
        return n;
    }

    /** {@code join} or {@code leave} {channel, client}; encoded once for every subscriber. */
    public EncodedMessage presenceEvent(PresenceEvent event) {
        ObjectNode n = reply(event.kind() == PresenceEvent.Kind.JOIN ? MessageType.JOIN : MessageType.LEAVE, null);
        n.put("channel", event.channel().value());
        n.set("client", presenceClient(event.client()));
        return encode(n);
    }

    /** {publications[], offset, epoch} of a history read, into {@code into}. */
    public ObjectNode history(ObjectNode into, HistoryPage page) {
        ArrayNode list = into.putArray("publications");
        page.publications().forEach(p -> list.add(publication(p)));
        into.put("offset", page.position().offset());
        into.put("epoch", page.position().epoch());
        return into;
    }

    public static String timestamp(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
