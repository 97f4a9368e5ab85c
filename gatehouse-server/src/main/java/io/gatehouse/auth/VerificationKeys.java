package io.gatehouse.auth;

import com.nimbusds.jose.JWSAlgorithm;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Public keys that may verify RS256 and ES256 JWTs, each with its key id ({@code kid}) when it
 * has one: PEM keys from {@code auth.jwt.public_keys} have none, the signing key and JWKS keys
 * usually do. Immutable. Every key has passed {@link PublicKeys#unsuitable}.
 */
final class VerificationKeys {
    /** One key; {@code keyId} is null when the key has none. */
    record Entry(String keyId, PublicKey key) {
        Entry {
            Objects.requireNonNull(key, "key");
        }
    }

    static final VerificationKeys NONE = new VerificationKeys(List.of());

    private final List<Entry> entries;

    private VerificationKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    static VerificationKeys of(List<Entry> entries) {
        return entries.isEmpty() ? NONE : new VerificationKeys(entries);
    }

    /** Keys without ids, such as the configured PEM keys. */
    static VerificationKeys withoutIds(List<PublicKey> keys) {
        return of(keys.stream().map(k -> new Entry(null, k)).toList());
    }

    VerificationKeys plus(VerificationKeys other) {
        if (other.entries.isEmpty()) {
            return this;
        }
        if (entries.isEmpty()) {
            return other;
        }
        List<Entry> all = new ArrayList<>(entries);
        all.addAll(other.entries);
        return new VerificationKeys(all);
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    int size() {
        return entries.size();
    }

    /** Whether a key carries exactly this id. */
    boolean hasKeyId(String keyId) {
        return entries.stream().anyMatch(e -> keyId.equals(e.keyId()));
    }

    /**
     * The keys that may verify a token signed with {@code alg}: RSA keys for RS256, EC keys for
     * ES256, nothing for any other algorithm, so the algorithm decides the key type and never the
     * other way round. A token with a {@code kid} meets the keys with that id and the keys without
     * any (a PEM key cannot rule itself out); a token without one meets every key of the type.
     */
    List<Key> candidates(JWSAlgorithm alg, String keyId) {
        Class<? extends PublicKey> type;
        if (JWSAlgorithm.RS256.equals(alg)) {
            type = RSAPublicKey.class;
        } else if (JWSAlgorithm.ES256.equals(alg)) {
            type = ECPublicKey.class;
        } else {
            return List.of();
        }
        List<Key> keys = new ArrayList<>();
        for (Entry e : entries) {
            if (type.isInstance(e.key()) && (keyId == null || e.keyId() == null || keyId.equals(e.keyId()))) {
                keys.add(e.key());
            }
        }
        return keys;
    }

    @Override
    public String toString() {
        return "VerificationKeys"
                + entries.stream()
                        .map(e -> e.key().getAlgorithm() + (e.keyId() == null ? "" : ":" + e.keyId()))
                        .toList();
    }
}
