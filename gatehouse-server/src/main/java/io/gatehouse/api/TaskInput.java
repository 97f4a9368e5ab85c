package io.gatehouse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.store.TaskStatus;
import io.gatehouse.store.TaskStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * The fields of the task endpoints (docs/protocol.md, "Tasks"), each checked against its limit; a
 * problem is a BAD_REQUEST refusal whose hint names the field and the limit.
 */
final class TaskInput {
    static final int MAX_OWNER_CHARS = 255;
    static final int MAX_KIND_CHARS = 100;
    static final int MAX_TITLE_CHARS = 1024;
    static final int MAX_MESSAGE_CHARS = 4096;
    /** data and result, as UTF-8 JSON text. */
    static final int MAX_JSON_BYTES = 64 * 1024;

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private TaskInput() {}

    /** A required text field of 1 to max characters without control characters. */
    static String text(ObjectNode body, String field, int max) {
        String value = optionalText(body, field, max);
        if (value == null || value.isEmpty()) {
            throw RequestBody.bad(field + " is required: a string of 1 to " + max + " characters");
        }
        return value;
    }

    /** An optional text field of at most max characters; null when absent. */
    static String optionalText(ObjectNode body, String field, int max) {
        String value = RequestBody.optionalText(body, field);
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw RequestBody.bad(field + " is limited to " + max + " characters");
        }
        if (value.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            throw RequestBody.bad(field + " must not contain control characters");
        }
        return value;
    }

    /** An optional whole number, 0 or more; null when absent. */
    static Long optionalCount(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw RequestBody.bad(field + " must be a whole number, 0 or more");
        }
        return n.asLong();
    }

    /** Any JSON value, at most {@link #MAX_JSON_BYTES} as text; null when absent or JSON null. */
    static String optionalJson(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        String text = n.toString();
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_JSON_BYTES) {
            throw RequestBody.bad(field + " is limited to 64 KiB of JSON");
        }
        return text;
    }

    /** The listing of {@code GET tasks}: {@code owner} null for any (the server API) or the user's own. */
    static TaskStore.Query query(ApiRequest req, String owner) {
        TaskStatus status = null;
        String statusText = parameter(req, "status");
        if (statusText != null) {
            status = TaskStatus.fromWire(statusText)
                    .orElseThrow(() -> RequestBody.bad(
                            "status must be running, cancel_requested, cancelled, completed or failed"));
        }
        String kind = parameter(req, "kind");
        long limit = RequestBody.wholeNumber(parameter(req, "limit"), "limit", DEFAULT_LIMIT);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw RequestBody.bad(
                    "limit must be a whole number from 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ")");
        }
        return new TaskStore.Query(owner, status, kind, cursor(parameter(req, "cursor")), (int) limit);
    }

    /** A query parameter; absent and empty both mean "any". */
    static String parameter(ApiRequest req, String name) {
        String value = req.queryParameter(name);
        return value == null || value.isEmpty() ? null : value;
    }

    /** The next_cursor of a page that ended with task {@code createdAt}, {@code id}: opaque to clients. */
    static String cursor(Instant createdAt, String id) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    private static TaskStore.Cursor cursor(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            long micros = Long.parseLong(text.substring(0, colon));
            return new TaskStore.Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), text.substring(colon + 1));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw RequestBody.bad("cursor must be a next_cursor this server answered");
        }
    }
}
