package io.gatehouse.auth;

import io.gatehouse.protocol.RefusalCode;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens that verify by themselves (JWTs) or by the backend's say (introspected tokens) but were
 * revoked here ({@code POST /api/v1/credentials/revoke}), by credential id, until they would have
 * stopped working anyway. The {@link TokenVerifierChain} refuses them with TOKEN_REVOKED. In
 * memory, on this node; the revocation journal carries each one with its end to the other nodes
 * and to a node that restarts (RevocationWatcher fills this from it). Bounded: past
 * {@link #MAX_ENTRIES} live entries a revocation is refused rather than an older one dropped,
 * since dropping one would make a revoked token work again. Thread-safe.
 */
public final class RevokedTokens {
    static final int MAX_ENTRIES = 100_000;

    private final Clock clock;
    private final ConcurrentHashMap<String, Instant> until = new ConcurrentHashMap<>();

    public RevokedTokens(Clock clock) {
        this.clock = clock;
    }

    /**
     * Refuses {@code credentialId} until {@code expiresAt} (null: until a restart).
     *
     * @throws io.gatehouse.protocol.RefusalException BACKEND_UNAVAILABLE when full of live revocations
     */
    public void add(String credentialId, Instant expiresAt) {
        if (until.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            until.values().removeIf(at -> !at.isAfter(now));
            if (until.size() >= MAX_ENTRIES) {
                throw RefusalCode.BACKEND_UNAVAILABLE
                        .refusal("Too many revoked tokens are held; remove the user instead, "
                                + "or give tokens shorter lifetimes")
                        .asException();
            }
        }
        until.merge(credentialId, expiresAt == null ? Instant.MAX : expiresAt, (a, b) -> a.isAfter(b) ? a : b);
    }

    public boolean contains(String credentialId) {
        Instant at = until.get(credentialId);
        if (at == null) {
            return false;
        }
        if (!at.isAfter(clock.instant())) {
            until.remove(credentialId, at);
            return false;
        }
        return true;
    }
}
