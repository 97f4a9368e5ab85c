package io.gatehouse.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.protocol.MessageType;

/** One parsed client message: its type, the optional {@code id} to echo, and the whole object. */
public record ParsedMessage(MessageType type, JsonNode id, ObjectNode body) {

    /** A text field, or null when missing or not a string. */
    public String text(String field) {
        JsonNode n = body.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    public JsonNode field(String field) {
        return body.get(field);
    }
}
