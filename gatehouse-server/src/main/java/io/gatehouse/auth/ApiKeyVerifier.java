package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.ApiKeyRecord;
import io.gatehouse.store.ApiKeyStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Checks {@code Authorization: apikey <key>} on the server API; lookups run on the blocking executor. */
public final class ApiKeyVerifier {
    public static final String KIND = "ghk_";
    private static final String SCHEME = "apikey ";

    /** The outcome: the key's name when accepted, or the refusal. */
    public record ApiKeyVerdict(String keyName, Refusal refusal) {
        public boolean isAccepted() {
            return refusal == null;
        }
    }

    private final ApiKeyStore keys;
    private final Executor blocking;

    public ApiKeyVerifier(ApiKeyStore keys, Executor blocking) {
        this.keys = keys;
        this.blocking = blocking;
    }

    public CompletionStage<ApiKeyVerdict> verify(String authorization, ApiScope needed) {
        if (authorization == null || authorization.isBlank()) {
            return refused(RefusalCode.TOKEN_MISSING.refusal(
                    "The server API needs Authorization: apikey <key> (gatehouse apikey create)"));
        }
        if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return refused(RefusalCode.TOKEN_INVALID.refusal(
                    "The server API needs Authorization: apikey <key>, not another scheme"));
        }
        String key = authorization.substring(SCHEME.length()).trim();
        Optional<String> prefix = SecretToken.prefixOf(key, KIND);
        if (prefix.isEmpty()) {
            return refused(RefusalCode.TOKEN_INVALID.refusal("Malformed API key; keys look like ghk_..."));
        }
        return CompletableFuture.supplyAsync(() -> check(key, prefix.get(), needed), blocking);
    }

    private ApiKeyVerdict check(String key, String prefix, ApiScope needed) {
        Optional<ApiKeyRecord> found = keys.findByPrefix(prefix);
        if (found.isEmpty()
                || !SecretToken.matches(key, found.get().hash())
                || found.get().revokedAt() != null) {
            return new ApiKeyVerdict(null, RefusalCode.TOKEN_INVALID.refusal("Unknown or revoked API key"));
        }
        ApiKeyRecord k = found.get();
        List<ApiScope> scopes = k.scopes().stream()
                .map(ApiScope::fromWire)
                .flatMap(Optional::stream)
                .toList();
        if (!needed.isGrantedBy(scopes)) {
            return new ApiKeyVerdict(
                    k.name(),
                    RefusalCode.PERMISSION_DENIED.refusal("This API key lacks the " + needed.wireName() + " scope"));
        }
        return new ApiKeyVerdict(k.name(), null);
    }

    private static CompletionStage<ApiKeyVerdict> refused(Refusal r) {
        return CompletableFuture.completedFuture(new ApiKeyVerdict(null, r));
    }
}
