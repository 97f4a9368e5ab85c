package io.gatehouse.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A server API key as stored: its lookup prefix and the SHA-256 of the whole key, never the key.
 * revokedAt is null while the key is live.
 *
 * <p>Equality compares the hash by content. The hash array is shared, not copied; don't modify it.
 */
public record ApiKeyRecord(
        String prefix, byte[] hash, String name, List<String> scopes, Instant createdAt, Instant revokedAt) {

    public ApiKeyRecord {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(name, "name");
        scopes = List.copyOf(scopes);
        Objects.requireNonNull(createdAt, "createdAt");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKeyRecord k
                && prefix.equals(k.prefix)
                && Arrays.equals(hash, k.hash)
                && name.equals(k.name)
                && scopes.equals(k.scopes)
                && createdAt.equals(k.createdAt)
                && Objects.equals(revokedAt, k.revokedAt);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(prefix, name, scopes, createdAt, revokedAt) + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "ApiKeyRecord[prefix=" + prefix + ", name=" + name + ", scopes=" + scopes + ", createdAt=" + createdAt
                + ", revokedAt=" + revokedAt + "]";
    }
}
