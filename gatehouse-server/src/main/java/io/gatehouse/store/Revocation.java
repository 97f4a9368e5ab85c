package io.gatehouse.store;

/**
 * One entry of the revocation journal. {@code kind} CREDENTIAL: {@code subject} is a token or
 * session prefix, or the fingerprint of a JWT or introspected token, which every node refuses until
 * {@code heldUntil} (null for a credential whose own row says it is revoked); USER: a user id whose
 * every credential and connection is gone, and whose JWTs issued before {@code at} are refused
 * from then on.
 */
public record Revocation(long id, Kind kind, String subject, java.time.Instant at, java.time.Instant heldUntil) {
    public enum Kind {
        CREDENTIAL,
        USER
    }
}
