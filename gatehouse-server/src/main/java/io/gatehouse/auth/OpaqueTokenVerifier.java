package io.gatehouse.auth;

import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.TokenRecord;
import io.gatehouse.store.TokenStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Verifies opaque {@code ght_} tokens against their stored hashes. The lookup runs on the
 * blocking executor, never on the caller's thread.
 */
public record OpaqueTokenVerifier(TokenStore tokens, Executor blocking, Clock clock) implements TokenVerifier {
    public static final String KIND = "ght_";
    /** How stale {@code last_used_at} may get before a use writes it again. */
    static final java.time.Duration TOUCH_INTERVAL = java.time.Duration.ofMinutes(1);

    @Override
    public boolean claims(String token) {
        return token.startsWith(KIND);
    }

    @Override
    public CompletionStage<Verdict> verify(String token) {
        Optional<String> prefix = SecretToken.prefixOf(token, KIND);
        if (prefix.isEmpty()) {
            return CompletableFuture.completedFuture(
                    Verdict.refused(RefusalCode.TOKEN_INVALID.refusal("Malformed ght_ token")));
        }
        return CompletableFuture.supplyAsync(() -> check(token, prefix.get()), blocking);
    }

    private Verdict check(String token, String prefix) {
        Optional<TokenRecord> found = tokens.findByPrefix(prefix);
        if (found.isEmpty() || !SecretToken.matches(token, found.get().hash())) {
            return Verdict.refused(RefusalCode.TOKEN_INVALID.refusal());
        }
        TokenRecord t = found.get();
        Instant now = clock.instant();
        if (t.revokedAt() != null) {
            return Verdict.refused(RefusalCode.TOKEN_REVOKED.refusal());
        }
        if (!t.expiresAt().isAfter(now)) {
            return Verdict.refused(
                    RefusalCode.TOKEN_EXPIRED.refusal("The token has expired; create a new one (POST /api/v1/tokens)"));
        }
        if (t.lastUsedAt() == null || t.lastUsedAt().isBefore(now.minus(TOUCH_INTERVAL))) {
            tokens.touch(prefix, now); // at most once a minute: a reconnect storm is not a write storm
        }
        User user = new User(t.userId(), t.userName(), t.roles());
        return Verdict.accepted(
                new Principal(user, new HashSet<>(t.channels()), t.expiresAt(), TokenKind.OPAQUE, t.prefix()));
    }
}
