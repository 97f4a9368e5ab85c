package io.gatehouse.store;

import java.time.Instant;

/** A cookie session: the hashes of its secret and of its current CSRF token, and its lifetimes. */
public record SessionRecord(
        String prefix,
        byte[] hash,
        String userId,
        byte[] csrfHash,
        Instant csrfIssuedAt,
        Instant createdAt,
        Instant expiresAt,
        Instant revokedAt) {

    /** Shows no hash. */
    @Override
    public String toString() {
        return "SessionRecord[" + prefix + ", user=" + userId + ", expires=" + expiresAt + "]";
    }
}
