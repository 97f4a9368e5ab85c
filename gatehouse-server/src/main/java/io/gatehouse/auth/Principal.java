package io.gatehouse.auth;

import java.time.Instant;
import java.util.Set;

/**
 * An authenticated credential: the user, the extra channels it grants, when it expires, and
 * {@code credentialId}, a non-secret handle (an opaque token's prefix or a JWT's fingerprint).
 */
public record Principal(User user, Set<String> channels, Instant expiresAt, TokenKind kind, String credentialId) {
    public Principal {
        channels = Set.copyOf(channels);
    }
}
