package io.gatehouse.api;

import io.gatehouse.auth.ApiKeyVerifier;
import io.gatehouse.auth.ApiKeyVerifier.ApiKeyVerdict;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.limits.RequestLimits;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The API key of a server-API request, checked with the per-IP failure limit: an unknown or
 * revoked key counts against {@code limits.auth_failures_per_ip} like any refused credential, and
 * an IP that has used that up is refused (429, Retry-After) before any lookup. So guessing keys
 * slows the guesser down, and a guesser's WebSocket upgrades too.
 */
public record ApiKeyCheck(RequestLimits limits, ApiKeyVerifier keys) {
    CompletionStage<ApiKeyVerdict> verify(ApiRequest req, ApiScope scope) {
        return limits.admitCredentialCheck(req.clientIp()).thenCompose(slowDown -> {
            if (slowDown != null) {
                return CompletableFuture.completedFuture(new ApiKeyVerdict(null, slowDown));
            }
            return keys.verify(req.header("Authorization"), scope).thenApply(v -> {
                if (!v.isAccepted()) {
                    limits.refused(req.clientIp(), v.refusal());
                }
                return v;
            });
        });
    }

    /** {@code action} with the key's name once the request's key has {@code scope}; else the refusal. */
    CompletionStage<ApiResponse> ifAllowed(
            ApiRequest req, ApiScope scope, Function<String, CompletionStage<ApiResponse>> action) {
        return verify(req, scope)
                .thenCompose(v -> v.isAccepted()
                        ? action.apply(v.keyName())
                        : CompletableFuture.completedFuture(ApiResponse.refusal(v.refusal())));
    }
}
