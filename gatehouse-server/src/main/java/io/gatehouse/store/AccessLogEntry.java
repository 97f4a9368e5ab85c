package io.gatehouse.store;

import java.time.Instant;

/**
 * One access-log entry (SPEC §8), as the access log records it and as its row reads back.
 * {@code outcome} is {@value #ACCEPTED} or a refusal code; {@code tokenFingerprint} is 8 hex digits
 * of the credential's SHA-256, never the credential. An attempt has no {@code closeCode} and
 * {@code durationMillis}; a close has both, and completes the row of its connection's accepted
 * attempt (see {@link AccessLogStore#write}). An admin's action through the HTTP API has
 * {@code action} and {@code target} (null on every other entry). Unknown parts are null.
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
        Long durationMillis,
        String action,
        String target) {

    public static final String ACCEPTED = "ACCEPTED";

    /** An attempt or a close: no action. */
    public AccessLogEntry(
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
        this(
                time,
                clientIp,
                origin,
                userAgent,
                userId,
                method,
                outcome,
                tokenFingerprint,
                connectionId,
                closeCode,
                durationMillis,
                null,
                null);
    }

    /** An upgrade attempt; {@code method} is the credential's carrier, if one was presented. */
    public static AccessLogEntry attempt(
            Instant time,
            String clientIp,
            String origin,
            String userAgent,
            String userId,
            String method,
            String outcome,
            String tokenFingerprint,
            String connectionId) {
        return new AccessLogEntry(
                time, clientIp, origin, userAgent, userId, method, outcome, tokenFingerprint, connectionId, null, null);
    }

    /**
     * The close of an accepted connection at {@code closedAt}, {@code durationMillis} after it was
     * accepted: the completion of that attempt, so its time is the attempt's.
     */
    public static AccessLogEntry close(
            Instant closedAt, String clientIp, String userId, String connectionId, int closeCode, long durationMillis) {
        return new AccessLogEntry(
                closedAt.minusMillis(durationMillis),
                clientIp,
                null,
                null,
                userId,
                null,
                ACCEPTED,
                null,
                connectionId,
                closeCode,
                durationMillis);
    }

    /**
     * An admin's action through the HTTP API, done: {@code userId} is the admin's, {@code method}
     * and {@code tokenFingerprint} those of the admin's credential, {@code action} what was done
     * and {@code target} to what.
     */
    public static AccessLogEntry action(
            Instant time,
            String clientIp,
            String origin,
            String userAgent,
            String userId,
            String method,
            String tokenFingerprint,
            String action,
            String target) {
        return new AccessLogEntry(
                time,
                clientIp,
                origin,
                userAgent,
                userId,
                method,
                ACCEPTED,
                tokenFingerprint,
                null,
                null,
                null,
                action,
                target);
    }

    /** Whether this entry reports a close rather than an attempt. */
    public boolean isClose() {
        return closeCode != null;
    }

    /** Whether this entry reports an admin's action rather than an upgrade attempt or a close. */
    public boolean isAction() {
        return action != null;
    }
}
