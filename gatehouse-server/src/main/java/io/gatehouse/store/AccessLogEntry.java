package io.gatehouse.store;

import java.time.Instant;

/**
 * One row of the access log. {@code outcome} is {@code ACCEPTED} or a refusal code;
 * {@code tokenFingerprint} is 8 hex digits of the credential's SHA-256, never the credential.
 * {@code closeCode} and {@code durationMillis} are null until an accepted connection closes.
 * Unknown parts are null.
 */
public record AccessLogEntry(
        Instant time,
        String clientIp,
        String origin,
        String userAgent,
        String userId,
        String method,
        String outcome,
        String tokenFingerprint,
        String connectionId,
        Integer closeCode,
        Long durationMillis) {

    /** Whether this entry reports a close rather than an attempt (see {@link AccessLogStore#write}). */
    public boolean isClose() {
        return closeCode != null;
    }
}
