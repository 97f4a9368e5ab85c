package io.gatehouse.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An opaque access token as stored: never the token itself, only its lookup prefix and the
 * SHA-256 of the whole value. userId need not name a row in the users table. lastUsedAt and
 * revokedAt are null until the token is used or revoked. mintedFrom is the credential id (token or
 * session prefix, JWT fingerprint) whose holder minted it, or null (the CLI, or before V4).
 *
 * <p>Equality compares the hash by content. The hash array is shared, not copied; don't modify it.
 */
public record TokenRecord(
        String prefix,
        byte[] hash,
        String userId,
        String userName,
        List<String> roles,
        List<String> channels,
        Instant createdAt,
        Instant expiresAt,
        Instant lastUsedAt,
        Instant revokedAt,
        String mintedFrom) {

    public TokenRecord {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(userName, "userName");
        roles = List.copyOf(roles);
        channels = List.copyOf(channels);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenRecord t
                && prefix.equals(t.prefix)
                && Arrays.equals(hash, t.hash)
                && userId.equals(t.userId)
                && userName.equals(t.userName)
                && roles.equals(t.roles)
                && channels.equals(t.channels)
                && createdAt.equals(t.createdAt)
                && expiresAt.equals(t.expiresAt)
                && Objects.equals(lastUsedAt, t.lastUsedAt)
                && Objects.equals(revokedAt, t.revokedAt)
                && Objects.equals(mintedFrom, t.mintedFrom);
    }

    @Override
    public int hashCode() {
        return 31
                        * Objects.hash(
                                prefix,
                                userId,
                                userName,
                                roles,
                                channels,
                                createdAt,
                                expiresAt,
                                lastUsedAt,
                                revokedAt,
                                mintedFrom)
                + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "TokenRecord[prefix=" + prefix + ", userId=" + userId + ", userName=" + userName
                + ", roles=" + roles + ", channels=" + channels + ", createdAt=" + createdAt
                + ", expiresAt=" + expiresAt + ", lastUsedAt=" + lastUsedAt + ", revokedAt=" + revokedAt
                + ", mintedFrom=" + mintedFrom + "]";
    }
}
