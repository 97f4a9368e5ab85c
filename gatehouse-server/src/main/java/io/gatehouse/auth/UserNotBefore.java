package io.gatehouse.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-user not-before: a JWT Gatehouse minted for a user is refused when it was issued before the
 * user was removed. Held in memory, fed by the revocation journal (USER entries, see
 * io.gatehouse.revocation.RevocationWatcher), so a JWT handshake still reads no database. An entry is
 * kept as long as a minted JWT may live ({@code auth.tokens.max_ttl}), then dropped. Thread-safe.
 */
public final class UserNotBefore {
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    private final Duration keep;

    /** @param keep how long an entry matters: the longest lifetime of a minted JWT, plus clock skew */
    public UserNotBefore(Duration keep) {
        this.keep = keep;
    }

    /** JWTs of {@code userId} issued before {@code at} are refused from now on. */
    public void raise(String userId, Instant at) {
        notBefore.merge(userId, at, (a, b) -> a.isAfter(b) ? a : b);
        Instant horizon = at.minus(keep);
        notBefore.values().removeIf(t -> t.isBefore(horizon));
    }

    /** Whether a JWT of {@code userId} issued at {@code issuedAt} (null: unknown) predates a removal. */
    public boolean refuses(String userId, Instant issuedAt) {
        Instant nb = notBefore.get(userId);
        return nb != null && (issuedAt == null || issuedAt.isBefore(nb));
    }
}
