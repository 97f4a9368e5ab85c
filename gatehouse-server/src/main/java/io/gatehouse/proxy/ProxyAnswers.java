package io.gatehouse.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

/**
 * What the application's answer to a proxy call means (docs/integrations.md). A 2xx carries
 * {@code {"allow": true|false, ...}}: an allow may hold {@code expires_at} (ISO-8601 or Unix
 * seconds) and {@code data} (any JSON; for a publish, the data to publish instead of the
 * client's); a deny may hold {@code reason}, shown to the client as the PERMISSION_DENIED message.
 * A 403 is a deny too. Anything else (another status, a body that is not such an object) is
 * BACKEND_UNAVAILABLE: the application could not decide, and nothing is allowed by default.
 */
final class ProxyAnswers {
    /** The longest reason shown to a client; a longer one is cut. */
    static final int MAX_REASON_CHARS = 200;

    /** An allow's expires_at further away than this counts as none. */
    static final java.time.Duration FURTHEST_EXPIRY = java.time.Duration.ofDays(366);

    private final ObjectMapper json;
    private final Clock clock;

    ProxyAnswers(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    SubscribeDecision subscribe(int status, byte[] body) {
        JsonNode answer = answer(status, body);
        if (answer == null) {
            return SubscribeDecision.refuse(unavailable(status));
        }
        if (!answer.path("allow").asBoolean(false) || status == 403) {
            return SubscribeDecision.refuse(denied(answer, "The application refused this subscription"));
        }
        JsonNode expires = answer.path("expires_at");
        Instant expiresAt = null;
        if (!expires.isMissingNode() && !expires.isNull()) {
            expiresAt = instant(expires);
            if (expiresAt == null) {
                return SubscribeDecision.refuse(
                        RefusalCode.BACKEND_UNAVAILABLE.refusal(ConfigKey.CHANNELS_PROXY_URL.key()
                                + " answered an expires_at that is neither ISO-8601 nor Unix seconds"));
            }
            if (!expiresAt.isAfter(clock.instant())) {
                return SubscribeDecision.refuse(RefusalCode.PERMISSION_DENIED.refusal(
                        "The application's permission for this channel has expired"));
            }
            if (expiresAt.isAfter(clock.instant().plus(FURTHEST_EXPIRY))) {
                expiresAt = null; // as good as never: re-checked every recheck_interval only
            }
        }
        return SubscribeDecision.allow(expiresAt, data(answer));
    }

    PublishDecision publish(int status, byte[] body, String clientData) {
        JsonNode answer = answer(status, body);
        if (answer == null) {
            return PublishDecision.refuse(unavailable(status));
        }
        if (!answer.path("allow").asBoolean(false) || status == 403) {
            return PublishDecision.refuse(denied(answer, "The application refused this publish"));
        }
        String rewritten = data(answer);
        return PublishDecision.publish(rewritten != null ? rewritten : clientData);
    }

    /**
     * The answer object of a 2xx with a boolean {@code allow}, or of a 403 (an empty object when its
     * body is not JSON); null for anything else.
     */
    private JsonNode answer(int status, byte[] body) {
        JsonNode n;
        try {
            n = body == null || body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            n = null;
        }
        if (status == 403) {
            return n != null && n.isObject() ? n : json.createObjectNode();
        }
        if (status < 200
                || status > 299
                || n == null
                || !n.isObject()
                || !n.path("allow").isBoolean()) {
            return null;
        }
        return n;
    }

    private static String data(JsonNode answer) {
        JsonNode data = answer.get("data");
        return data == null || data.isNull() ? null : data.toString();
    }

    private Refusal unavailable(int status) {
        return RefusalCode.BACKEND_UNAVAILABLE.refusal(ConfigKey.CHANNELS_PROXY_URL.key()
                + (status >= 200 && status <= 299 ? " answered without a boolean allow" : " answered HTTP " + status)
                + "; back off and retry");
    }

    /** PERMISSION_DENIED with the application's reason (printable, at most 200 characters) or {@code otherwise}. */
    private static Refusal denied(JsonNode answer, String otherwise) {
        String reason = answer.path("reason").isTextual()
                ? printable(answer.path("reason").asText())
                : "";
        return RefusalCode.PERMISSION_DENIED.refusal(reason.isBlank() ? otherwise : reason);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_REASON_CHARS));
        for (int i = 0; i < s.length() && b.length() < MAX_REASON_CHARS; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }

    /** ISO-8601 or Unix seconds; null for anything else, or a time Java cannot hold. */
    private static Instant instant(JsonNode n) {
        try {
            if (n.isIntegralNumber() && n.canConvertToLong()) {
                return Instant.ofEpochSecond(n.asLong());
            }
            return n.isTextual() ? Instant.parse(n.asText()) : null;
        } catch (java.time.DateTimeException e) { // DateTimeParseException included
            return null;
        }
    }
}
