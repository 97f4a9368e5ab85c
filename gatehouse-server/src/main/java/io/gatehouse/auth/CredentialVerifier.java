package io.gatehouse.auth;

import io.gatehouse.protocol.RefusalException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Checks any {@link Credential}: a cookie session (with its CSRF token) against {@link Sessions} on
 * the blocking executor, a token through the {@link TokenVerifierChain}. Never blocks the caller;
 * the stage never fails: a database that cannot answer is BACKEND_UNAVAILABLE.
 */
public record CredentialVerifier(TokenVerifier tokens, Sessions sessions, Executor blocking) {
    public CompletionStage<Verdict> verify(Credential credential) {
        if (credential.carrier() != CredentialCarrier.COOKIE) {
            return tokens.verify(credential.token());
        }
        try {
            return CompletableFuture.supplyAsync(
                            () -> sessions.verify(credential.token(), credential.csrf(), Sessions.CsrfRule.FRESH),
                            blocking)
                    .exceptionally(e -> Verdict.refused(StoreRefusals.refusalOf(e)));
        } catch (RuntimeException rejected) { // the blocking pool is full
            return CompletableFuture.completedFuture(Verdict.refused(RefusalException.refusalOf(rejected)));
        }
    }
}
