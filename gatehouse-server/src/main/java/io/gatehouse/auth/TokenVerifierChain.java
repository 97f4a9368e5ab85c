package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sends each token to the first {@link TokenVerifier} that claims it, and refuses with
 * TOKEN_REVOKED a token it accepts that is in {@link RevokedTokens}.
 */
public final class TokenVerifierChain implements TokenVerifier {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TokenVerifierChain.class);
    private final List<TokenVerifier> verifiers;
    private final RevokedTokens revoked;

    public TokenVerifierChain(List<TokenVerifier> verifiers) {
        this(verifiers, new RevokedTokens(java.time.Clock.systemUTC()));
    }

    public TokenVerifierChain(List<TokenVerifier> verifiers, RevokedTokens revoked) {
        this.verifiers = List.copyOf(verifiers);
        this.revoked = revoked;
    }

    @Override
    public boolean claims(String token) {
        return verifiers.stream().anyMatch(v -> v.claims(token));
    }

    @Override
    public CompletionStage<Verdict> verify(String token) {
        for (TokenVerifier v : verifiers) {
            if (v.claims(token)) {
                CompletionStage<Verdict> verdict;
                try {
                    verdict = v.verify(token);
                } catch (RuntimeException refusedOrBroken) { // e.g. the blocking pool is full
                    verdict = CompletableFuture.failedFuture(refusedOrBroken);
                }
                return verdict.thenApply(TokenVerifierChain::printableIdOnly)
                        .thenApply(this::unlessRevoked)
                        .exceptionally(e -> {
                            Refusal refusal = StoreRefusals.refusalOf(e);
                            if (refusal.code() != RefusalCode.INTERNAL_ERROR) {
                                return Verdict.refused(refusal);
                            }
                            LOG.error("token verification failed (fingerprint {})", Fingerprint.of(token), e);
                            return Verdict.refused(refusal);
                        });
            }
        }
        return CompletableFuture.completedFuture(Verdict.refused(
                RefusalCode.TOKEN_INVALID.refusal("The token is neither a JWT nor a Gatehouse token (ght_...)")));
    }

    /**
     * Refuses an accepted token whose user id could forge a log line (a JWT's {@code sub}, an
     * introspection backend's id field): every token kind passes through here.
     */
    private static Verdict printableIdOnly(Verdict v) {
        if (v == null || !v.isAccepted()) {
            return v;
        }
        Refusal refusal = PrintableId.refusal(v.principal().user().id(), "sub or the introspection id field");
        return refusal == null ? v : Verdict.refused(refusal);
    }

    private Verdict unlessRevoked(Verdict v) {
        return v != null && v.isAccepted() && revoked.contains(v.principal().credentialId())
                ? Verdict.refused(RefusalCode.TOKEN_REVOKED.refusal())
                : v;
    }
}
