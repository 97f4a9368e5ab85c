package io.gatehouse.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The one JSON codec of the message protocol (docs/protocol.md), for the server and its clients:
 * client messages in and out, server messages out and in. One JSON object per text frame; every
 * message has {@code type}; timestamps named {@code *_at} are ISO-8601 UTC strings,
 * {@code server_time} and {@code timestamp} Unix epoch milliseconds. Thread-safe.
 */
public final class WireCodec {
    private final ObjectMapper json;
    private final ServerMessageWriter writer;

    public WireCodec(ObjectMapper json) {
        this.json = json;
        this.writer = new ServerMessageWriter(json);
    }

    public WireCodec() {
        this(new ObjectMapper());
    }

    public ObjectMapper json() {
        return json;
    }

    /**
     * Reads one client frame (the server's side).
     *
     * @throws BadMessageException BAD_REQUEST, with a hint saying what is wrong
     */
    public ClientMessage readClient(String text) {
        ObjectNode body = object(text);
        JsonNode id = body.get("id");
        MessageType type = type(body, id);
        if (!type.isClientMessage()) {
            throw BadMessageException.badRequest(
                    "Unknown message type '" + abbreviate(type.wireName()) + "'", id, null);
        }
        return ClientMessageReader.read(type, id, body);
    }

    /** Writes a client message (the client's side). */
    public String write(ClientMessage message) {
        ObjectNode n = json.createObjectNode();
        n.put("type", message.type().wireName());
        if (message.id() != null && !message.id().isNull()) {
            n.set("id", message.id());
        }
        if (message instanceof ClientMessage.Auth m) {
            n.put("token", m.token());
            if (m.instance() != null) {
                n.put("instance", m.instance());
            }
        } else if (message instanceof ClientMessage.Subscribe m) {
            n.put("channel", m.channel().value());
            since(n, m.since());
        } else if (message instanceof ClientMessage.Unsubscribe m) {
            n.put("channel", m.channel().value());
        } else if (message instanceof ClientMessage.Publish m) {
            n.put("channel", m.channel().value());
            n.set("data", m.data());
        } else if (message instanceof ClientMessage.Refresh m) {
            n.put("token", m.token());
        } else if (message instanceof ClientMessage.Presence m) {
            n.put("channel", m.channel().value());
        } else if (message instanceof ClientMessage.History m) {
            n.put("channel", m.channel().value());
            since(n, m.since());
            if (m.limit() != ClientMessage.NO_LIMIT) {
                n.put("limit", m.limit());
            }
        } else if (message instanceof ClientMessage.CancelTask m) {
            n.put("task_id", m.taskId());
        }
        return n.toString();
    }

    /** Encodes a server message as the UTF-8 bytes of one text frame (the server's side). */
    public EncodedMessage encode(ServerMessage message) {
        if (message instanceof ServerMessage.Message m) {
            return new EncodedMessage(writer.message(m.publication()));
        }
        try {
            return new EncodedMessage(json.writeValueAsBytes(writer.tree(message, true)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A server message's fields without {@code type} and {@code id}: the HTTP API answers with the
     * same shapes (a publish's position, a presence list, a history page).
     */
    public ObjectNode fields(ServerMessage message) {
        return writer.tree(message, false);
    }

    /**
     * Reads one server frame (the client's side). Unknown fields are ignored.
     *
     * @throws BadMessageException when the frame is not a server message
     */
    public ServerMessage readServer(String text) {
        ObjectNode body = object(text);
        JsonNode id = body.get("id");
        return ServerMessageReader.read(type(body, id), id, body);
    }

    /** ISO-8601 UTC, as every {@code *_at} field; null for null. */
    public static String timestamp(Instant instant) {
        return ServerMessageWriter.timestamp(instant);
    }

    private ObjectNode object(String text) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw BadMessageException.badRequest("Malformed JSON; send one JSON object per text frame", null, null);
        }
        if (!(node instanceof ObjectNode obj)) {
            throw BadMessageException.badRequest("A message must be a JSON object with a type", null, null);
        }
        return obj;
    }

    private static MessageType type(ObjectNode body, JsonNode id) {
        JsonNode type = body.get("type");
        if (type == null || !type.isTextual()) {
            throw BadMessageException.badRequest("The message has no type", id, null);
        }
        return MessageType.fromWire(type.asText())
                .orElseThrow(() -> BadMessageException.badRequest(
                        "Unknown message type '" + abbreviate(type.asText()) + "'", id, null));
    }

    private static void since(ObjectNode n, StreamPosition since) {
        if (since != null) {
            ObjectNode s = n.putObject("since");
            s.put("offset", since.offset());
            s.put("epoch", since.epoch());
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
