package io.gatehouse.accesslog;

import java.time.Instant;

/**
 * One access-log entry. {@code outcome} is {@code ACCEPTED} or a refusal code; a close entry has
 * a non-zero {@code closeCode}. {@code tokenFingerprint} is the first 8 hex digits of the token's
 * SHA-256, never the token. Unknown parts are null.
 */
public record AccessRecord(
        Instant time,
        String clientIp,
        String origin,
        String userAgent,
        String userId,
        String method,
        String outcome,
        String tokenFingerprint,
        String connectionId,
        int closeCode,
        long durationMillis) {

    public static final String ACCEPTED = "ACCEPTED";

    public static AccessRecord attempt(
            Instant time,
            String clientIp,
            String origin,
            String userAgent,
            String userId,
            String method,
            String outcome,
            String tokenFingerprint,
            String connectionId) {
        return new AccessRecord(
                time, clientIp, origin, userAgent, userId, method, outcome, tokenFingerprint, connectionId, 0, 0);
    }

    public static AccessRecord close(
            Instant time, String clientIp, String userId, String connectionId, int closeCode, long durationMillis) {
        return new AccessRecord(
                time, clientIp, null, null, userId, null, null, null, connectionId, closeCode, durationMillis);
    }
}
