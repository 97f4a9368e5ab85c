package io.gatehouse.store;

/**
 * One entry of the revocation journal. {@code kind} CREDENTIAL: {@code subject} is a token or
 * session prefix; USER: a user id whose every credential and connection is gone, and whose JWTs
 * issued before {@code at} are refused from then on.
 */
public record Revocation(long id, Kind kind, String subject, java.time.Instant at) {
    public enum Kind {
        CREDENTIAL,
        USER
    }
}
