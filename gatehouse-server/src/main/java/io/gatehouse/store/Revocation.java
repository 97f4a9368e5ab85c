package io.gatehouse.store;

/**
 * One entry of the revocation journal. {@code kind} CREDENTIAL: {@code subject} is a token or
 * session prefix; USER: a user id whose every credential and connection is gone.
 */
public record Revocation(long id, Kind kind, String subject) {
    public enum Kind { CREDENTIAL, USER }
}
