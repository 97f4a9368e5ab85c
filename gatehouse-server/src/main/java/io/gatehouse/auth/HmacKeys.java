package io.gatehouse.auth;

import java.security.Key;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HS256 secrets (auth.jwt.secret, or auth.jwt.secrets during a rotation; docs/configuration.md):
 * the first signs the JWTs Gatehouse mints, with its key id in the header when it has one, and
 * every one verifies until the operator removes it. Immutable; never printed.
 */
public final class HmacKeys {
    /** One secret; {@code keyId} is null for auth.jwt.secret (and the generated one). */
    public record HmacKey(String keyId, byte[] secret) {
        public HmacKey {
            secret = secret.clone();
        }

        @Override
        public String toString() {
            return "HmacKey[" + (keyId == null ? "no kid" : keyId) + "]";
        }
    }

    private final List<HmacKey> keys;
    private final List<SecretKeySpec> specs;

    public HmacKeys(List<HmacKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one HS256 secret");
        }
        this.keys = List.copyOf(keys);
        this.specs = keys.stream()
                .map(k -> new SecretKeySpec(k.secret(), "HmacSHA256"))
                .toList();
    }

    /** The one secret without a key id. */
    public static HmacKeys single(byte[] secret) {
        return new HmacKeys(List.of(new HmacKey(null, secret)));
    }

    /** The secret that signs: the first. */
    HmacKey signing() {
        return keys.get(0);
    }

    /**
     * The keys a JWT with {@code keyId} (null: none) is tried with: the one with that id when there
     * is one, else all of them (a token signed before key ids were used has none).
     */
    List<Key> candidates(String keyId) {
        if (keyId != null) {
            for (int i = 0; i < keys.size(); i++) {
                if (keyId.equals(keys.get(i).keyId())) {
                    return List.of(specs.get(i));
                }
            }
        }
        return new ArrayList<>(specs);
    }

    @Override
    public String toString() {
        return "HmacKeys" + keys;
    }
}
