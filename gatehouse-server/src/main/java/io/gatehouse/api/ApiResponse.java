package io.gatehouse.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.protocol.Refusal;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** An HTTP response: status, JSON body, extra headers (a name may repeat, as Set-Cookie does). */
public record ApiResponse(int status, byte[] body, List<Map.Entry<String, String>> headers) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ApiResponse json(int status, JsonNode body) {
        try {
            return new ApiResponse(status, JSON.writeValueAsBytes(body), List.of());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A non-JSON body, such as the Prometheus text exposition. */
    public static ApiResponse text(int status, String body, String contentType) {
        return new ApiResponse(
                status,
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                List.of(Map.entry("Content-Type", contentType)));
    }

    public static ApiResponse ok(JsonNode body) {
        return json(200, body);
    }

    /** This response with one more header. */
    public ApiResponse withHeader(String name, String value) {
        List<Map.Entry<String, String>> all = new java.util.ArrayList<>(headers);
        all.add(Map.entry(name, value));
        return new ApiResponse(status, body, List.copyOf(all));
    }

    /** The refusal body of SPEC §3: {@code {"error": ..., "code": ..., "hint": ...}}. */
    public static ApiResponse refusal(Refusal refusal) {
        return refusal(refusal, JSON.createObjectNode());
    }

    /** The refusal body of SPEC §3 after the fields already in {@code body}. */
    public static ApiResponse refusal(Refusal refusal, ObjectNode body) {
        body.put("error", refusal.code().title());
        body.put("code", refusal.code().name());
        body.put("hint", refusal.hint());
        if (refusal.retryAfterMillis() > 0) {
            body.put("retry_after_ms", refusal.retryAfterMillis());
            return json(refusal.code().httpStatus(), body)
                    .withHeader("Retry-After", Long.toString((refusal.retryAfterMillis() + 999) / 1000));
        }
        return json(refusal.code().httpStatus(), body);
    }
}
