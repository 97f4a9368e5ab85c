package io.gatehouse.auth;

import java.util.concurrent.CompletionStage;

/**
 * Checks one kind of token. Verifiers form a {@link TokenVerifierChain}: the first that
 * {@linkplain #claims claims} a token decides it, so each kind is recognised by its shape.
 *
 * <p>{@link #verify} never blocks the caller: a verifier that needs the database or the network
 * does that work on another executor. The returned stage never fails: a bad token is a
 * refused {@link Verdict}, an internal failure is a refusal with INTERNAL_ERROR.
 */
public interface TokenVerifier {
    /** Whether {@code token} has the shape of the tokens this verifier checks. Cheap; no I/O. */
    boolean claims(String token);

    CompletionStage<Verdict> verify(String token);
}
