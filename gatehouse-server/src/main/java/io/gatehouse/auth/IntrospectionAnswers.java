package io.gatehouse.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.protocol.RefusalCode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the application backend's answer to an introspection call means (SPEC §2): 200 with a JSON
 * user accepts, as a principal whose fields are named as Django and DRF serialise a User; 401 and
 * 403 refuse with TOKEN_INVALID; an {@code exp} already past with TOKEN_EXPIRED; a 5xx, any other
 * status, or a 200 that is no user refuse with BACKEND_UNAVAILABLE and a hint for the operator.
 * No I/O; thread-safe.
 */
final class IntrospectionAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** auth.introspection.id_field */
    private final String idField;
    /** Decides whether an exp is past. */
    private final Clock clock;

    IntrospectionAnswers(String idField, Clock clock) {
        this.idField = idField;
        this.clock = clock;
    }

    /** The verdict on an answer with {@code status} and (for a 200) {@code body}, for the token {@code credentialId}. */
    Verdict verdict(int status, byte[] body, String credentialId) {
        if (status == 200) {
            return accept(body, credentialId);
        }
        if (status == 401 || status == 403) {
            return Verdict.refused(RefusalCode.TOKEN_INVALID.refusal());
        }
        if (status >= 500) {
            return unavailable("auth.introspection.url answered HTTP " + status + "; back off and retry");
        }
        return unavailable("auth.introspection.url answered HTTP " + status + "; it must answer 200, 401 or 403");
    }

    /** Maps the backend's JSON user to a principal (field names as Django and DRF serialise a User). */
    private Verdict accept(byte[] body, String credentialId) {
        JsonNode user;
        try {
            user = JSON.readTree(body);
        } catch (IOException e) {
            user = null;
        }
        if (user == null || !user.isObject()) {
            return unavailable("auth.introspection.url answered 200 without a JSON object");
        }
        JsonNode id = user.get(idField);
        if (id == null || !(id.isTextual() || id.isNumber()) || id.asText().isEmpty()) {
            return unavailable("The backend's answer has no \"" + idField
                    + "\"; set auth.introspection.id_field to the field that holds the user id");
        }
        List<String> roles;
        List<String> channels;
        try {
            roles = strings(user, "roles");
            channels = strings(user, "channels");
        } catch (IllegalArgumentException e) {
            return unavailable(
                    "auth.introspection.url answered with " + e.getMessage() + " that is not a list of strings");
        }
        Set<String> allRoles = new LinkedHashSet<>(roles);
        // Django's is_staff only opens the admin site; the admin role here sees every channel.
        if (user.path("is_superuser").asBoolean(false)) {
            allRoles.add(User.ADMIN_ROLE);
        }
        JsonNode exp = user.get("exp");
        Instant expiresAt = null;
        if (exp != null && !exp.isNull()) {
            if (!exp.isNumber()) {
                return unavailable("auth.introspection.url answered with an exp that is not epoch seconds");
            }
            expiresAt = Instant.ofEpochSecond(exp.asLong());
            if (!expiresAt.isAfter(clock.instant())) {
                return Verdict.refused(RefusalCode.TOKEN_EXPIRED.refusal(
                        "The backend says the token has expired (exp); log in again"));
            }
        }
        String name = text(user, "name");
        if (name == null) {
            name = text(user, "username");
        }
        User u = new User(id.asText(), name, new ArrayList<>(allRoles));
        return Verdict.accepted(
                new Principal(u, Set.copyOf(channels), expiresAt, TokenKind.INTROSPECTED, credentialId));
    }

    private static String text(JsonNode user, String field) {
        JsonNode n = user.get(field);
        return n != null && n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }

    /** The strings of an array field; empty when absent or null. */
    private static List<String> strings(JsonNode user, String field) {
        JsonNode n = user.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(field);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(field);
            }
            out.add(item.asText());
        }
        return out;
    }

    private static Verdict unavailable(String hint) {
        return Verdict.refused(RefusalCode.BACKEND_UNAVAILABLE.refusal(hint));
    }
}
