package io.gatehouse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reading JSON request bodies; every problem is a BAD_REQUEST refusal that names the field. */
final class RequestBody {
    private RequestBody() {}

    /** The body as a JSON object; an empty body is an empty object. */
    static ObjectNode object(ApiRequest request, ObjectMapper json) {
        if (request.body().length == 0) {
            return json.createObjectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(request.body());
        } catch (IOException e) {
            throw bad("The body is not valid JSON");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw bad("The body must be a JSON object");
        }
        return obj;
    }

    /** An optional string field; null when absent. */
    static String optionalText(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw bad("The field " + field + " must be a string");
        }
        return n.asText();
    }

    /** An optional list of strings; empty when absent. */
    static List<String> stringList(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw bad("The field " + field + " must be a list of strings");
        }
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                throw bad("The field " + field + " must be a list of strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    /** A query parameter that must be a whole number, 0 or more; {@code absent} when missing or empty. */
    static long wholeNumber(String raw, String name, long absent) {
        if (raw == null || raw.isEmpty()) {
            return absent;
        }
        try {
            long value = Long.parseLong(raw);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw bad(name + " must be a whole number, 0 or more");
    }

    static RefusalException bad(String hint) {
        return RefusalCode.BAD_REQUEST.refusal(hint).asException();
    }
}
