package io.gatehouse.api;

import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.store.AccessLogStore;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The query of {@code GET /api/v1/access-log} (docs/protocol.md, "Access log"):
 * {@code outcome=&code=&refused=&user=&ip=&since=&until=&limit=}. Every parameter is checked, each
 * with its own {@code 400 BAD_REQUEST} hint; absent and empty both mean "any".
 */
record AccessLogQuery(AccessLogStore.Filter filter, int limit) {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    // The widths of the columns they are compared with (V3__access_log.sql): longer matches nothing.
    private static final int MAX_OUTCOME_CHARS = 64;
    private static final int MAX_USER_CHARS = 255;
    private static final int MAX_IP_CHARS = 64;
    /** Longer is no ISO-8601 timestamp. */
    private static final int MAX_TIME_CHARS = 64;

    static AccessLogQuery of(ApiRequest req) {
        int limit = limit(req.queryParameter("limit"));
        String outcome = bounded(req, "outcome", MAX_OUTCOME_CHARS);
        String code = code(req);
        if (outcome != null && code != null && !outcome.equals(code)) {
            throw RequestBody.bad("outcome and code name different outcomes; give one of them");
        }
        Instant since = time(req, "since");
        Instant until = time(req, "until");
        if (since != null && until != null && since.isAfter(until)) {
            throw RequestBody.bad("since must not be after until");
        }
        var filter = new AccessLogStore.Filter(
                outcome != null ? outcome : code,
                bounded(req, "user", MAX_USER_CHARS),
                bounded(req, "ip", MAX_IP_CHARS),
                refused(req),
                since,
                until);
        return new AccessLogQuery(filter, limit);
    }

    private static int limit(String raw) {
        long limit;
        try {
            limit = RequestBody.wholeNumber(raw, "limit", DEFAULT_LIMIT);
        } catch (RefusalException e) {
            limit = -1; // answered below, with the range
        }
        if (limit >= 1 && limit <= MAX_LIMIT) {
            return (int) limit;
        }
        throw RequestBody.bad(
                "limit must be a whole number from 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ")");
    }

    /** {@code code=}: a refusal code, as refused rows carry it. */
    private static String code(ApiRequest req) {
        String raw = optional(req, "code");
        if (raw == null) {
            return null;
        }
        return RefusalCode.fromName(raw)
                .map(RefusalCode::name)
                .orElseThrow(
                        () -> RequestBody.bad(
                                "code must be a refusal code such as TOKEN_INVALID or ORIGIN_NOT_ALLOWED (docs/protocol.md, Refusal codes)"));
    }

    /** {@code refused=true}: only refused attempts (any outcome but ACCEPTED). */
    private static boolean refused(ApiRequest req) {
        String raw = optional(req, "refused");
        if (raw == null || raw.equals("false")) {
            return false;
        }
        if (raw.equals("true")) {
            return true;
        }
        throw RequestBody.bad("refused must be true (refused attempts only) or false");
    }

    /** An ISO-8601 timestamp with a zone: {@code 2026-12-02T08:00:00Z} or {@code ...+01:00}. */
    private static Instant time(ApiRequest req, String name) {
        String raw = optional(req, name);
        if (raw == null) {
            return null;
        }
        if (raw.length() <= MAX_TIME_CHARS) {
            try {
                return OffsetDateTime.parse(raw).toInstant();
            } catch (DateTimeParseException notOne) {
                // answered below
            }
        }
        throw RequestBody.bad(name + " must be an ISO-8601 time with a zone, such as 2026-12-02T08:00:00Z");
    }

    private static String bounded(ApiRequest req, String name, int maxChars) {
        String value = optional(req, name);
        if (value != null && value.length() > maxChars) {
            throw RequestBody.bad(name + " must be at most " + maxChars + " characters");
        }
        return value;
    }

    /** A filter parameter; absent and empty both mean "any". */
    private static String optional(ApiRequest req, String name) {
        String value = req.queryParameter(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
