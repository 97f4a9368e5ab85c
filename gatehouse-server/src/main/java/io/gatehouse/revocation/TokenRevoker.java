package io.gatehouse.revocation;

import io.gatehouse.auth.IntrospectionVerifier;
import io.gatehouse.auth.OpaqueTokenVerifier;
import io.gatehouse.auth.RevokedTokens;
import io.gatehouse.auth.SecretToken;
import io.gatehouse.auth.TokenVerifier;
import io.gatehouse.hooks.WebhookEvents;
import io.gatehouse.hub.Hub;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.Revocation;
import io.gatehouse.store.TokenRecord;
import io.gatehouse.store.TokenStore;
import io.gatehouse.store.WebhookEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Revokes a token given the token itself, whatever its kind ({@code POST /api/v1/credentials/revoke},
 * docs/protocol.md), and closes the live connections that use it through the revocation journal
 * (at once on this node, within a second on every process that shares the database):
 *
 * <ul>
 * <li>opaque {@code ght_}: marked revoked in the store with the tokens minted from it, as
 * {@code token revoke} does;
 * <li>JWT (the server's own or the application's): a JWT cannot be unsigned, so it is held in
 * {@link RevokedTokens} until its {@code exp}, and every verification here refuses it;
 * <li>introspected: its cached answer and the copy held for re-checks are dropped, so the next use
 * asks the backend (which, having deleted it, says 401), and it is held in {@link RevokedTokens}
 * for {@code introspectedHold}, which covers a check that was in flight at the time;
 * <li>anything else (Gatehouse's other secrets, a token no verifier takes): nothing.
 * </ul>
 *
 * The answer is only whether something was revoked now: false for an unknown, malformed, expired
 * or already revoked token alike. Never blocks the caller; store and journal work runs on {@code blocking}.
 *
 * Each revocation raises a {@code token.revoked} webhook event, written with the journal entry in
 * one transaction (for an opaque token, the same transaction that revokes it and its minted tokens).
 *
 * @param introspection null when introspection is off
 */
public record TokenRevoker(
        TokenStore tokens,
        TokenVerifier jwt,
        IntrospectionVerifier introspection,
        RevokedTokens revoked,
        RevocationWatcher journal,
        Hub hub,
        Executor blocking,
        Clock clock,
        Duration introspectedHold,
        WebhookEvents hooks) {
    /** Whether {@code token} was revoked by this call. */
    public CompletionStage<Boolean> revoke(String token) {
        if (token.startsWith(OpaqueTokenVerifier.KIND)) {
            return CompletableFuture.supplyAsync(() -> revokeOpaque(token), blocking);
        }
        if (jwt.claims(token)) {
            return jwt.verify(token)
                    .thenComposeAsync(
                            v -> {
                                if (!v.isAccepted()
                                        || revoked.contains(v.principal().credentialId())) {
                                    if (v.isAccepted()) {
                                        return CompletableFuture.completedFuture(false); // revoked before
                                    }
                                    if (v.refusal().code() == RefusalCode.BACKEND_UNAVAILABLE) {
                                        throw v.refusal()
                                                .asException(); // the JWKS is down: we cannot tell, the caller must
                                        // retry
                                    }
                                    return CompletableFuture.completedFuture(false); // not a token that works here
                                }
                                revoked.add(
                                        v.principal().credentialId(),
                                        v.principal().expiresAt());
                                revokeWithEvent(
                                        v.principal().credentialId(),
                                        v.principal().user().id(),
                                        v.principal().expiresAt());
                                return CompletableFuture.completedFuture(true);
                            },
                            blocking);
        }
        if (introspection != null && introspection.claims(token)) {
            String credentialId = IntrospectionVerifier.credentialIdOf(token);
            boolean known = introspection.forget(token)
                    | !hub.connectionsWith(credentialId).isEmpty();
            if (!known) {
                return CompletableFuture.completedFuture(false);
            }
            Instant heldUntil = clock.instant().plus(introspectedHold);
            revoked.add(credentialId, heldUntil);
            String userId = hub.connectionsWith(credentialId).stream()
                    .map(c -> c.principal().user().id())
                    .findFirst()
                    .orElse(null);
            return CompletableFuture.supplyAsync(
                    () -> {
                        revokeWithEvent(credentialId, userId, heldUntil);
                        return true;
                    },
                    blocking);
        }
        return CompletableFuture.completedFuture(false);
    }

    /**
     * Revokes the opaque token with {@code prefix} when it is an unrevoked token of {@code userId},
     * and the tokens minted with it, each through the journal with its token.revoked event (so
     * their connections close on every node); false, with nothing done, when it is not. For
     * {@code DELETE /api/v1/tokens/{prefix}} (the user's own) and
     * {@code DELETE /api/v1/users/{id}/tokens/{prefix}} (an admin's). Blocks: call it on the
     * blocking pool.
     */
    public boolean revokeOfUser(String prefix, String userId) {
        return revokeOpaque(prefix, userId, userId);
    }

    private boolean revokeOpaque(String token) {
        Optional<String> prefix = SecretToken.prefixOf(token, OpaqueTokenVerifier.KIND);
        if (prefix.isEmpty()) {
            return false;
        }
        Optional<TokenRecord> found = tokens.findByPrefix(prefix.get());
        // The whole token must match: a prefix alone must not revoke someone else's token.
        if (found.isEmpty() || !SecretToken.matches(token, found.get().hash())) {
            return false;
        }
        return revokeOpaque(prefix.get(), null, found.get().userId());
    }

    /**
     * Revokes opaque token {@code prefix} (only {@code ofUser}'s, unless null) and the tokens minted
     * from it, journaled with their token.revoked events in one transaction, then closes their
     * connections on this node at once (the others follow the journal).
     */
    private boolean revokeOpaque(String prefix, String ofUser, String eventUserId) {
        int[] events = {0};
        List<String> revokedNow = tokens.revokeJournaled(prefix, ofUser, clock.instant(), credentialId -> {
            List<WebhookEvent> event = hooks.tokenRevoked(credentialId, eventUserId);
            events[0] += event.size();
            return event;
        });
        for (String credentialId : revokedNow) {
            journal.announceCredential(credentialId);
        }
        hooks.written(events[0]);
        return !revokedNow.isEmpty();
    }

    /**
     * Journals the revocation of {@code credentialId} with its token.revoked event, in one
     * transaction, held until {@code heldUntil} so that every node refuses it until then.
     */
    private void revokeWithEvent(String credentialId, String userId, Instant heldUntil) {
        List<WebhookEvent> event = hooks.tokenRevoked(credentialId, userId);
        journal.revoke(Revocation.Kind.CREDENTIAL, credentialId, heldUntil, event);
        hooks.written(event.size());
    }
}
