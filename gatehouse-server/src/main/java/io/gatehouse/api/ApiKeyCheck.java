package io.gatehouse.api;

import io.gatehouse.Node;
import io.gatehouse.auth.ApiKeyVerifier.ApiKeyVerdict;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.protocol.Refusal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The API key of a server-API request, checked with the per-IP failure limit: an unknown or
 * revoked key counts against {@code limits.auth_failures_per_ip} like any refused credential, and
 * an IP that has used that up is refused (429, Retry-After) before any lookup. So guessing keys
 * slows the guesser down, and a guesser's WebSocket upgrades too.
 */
final class ApiKeyCheck {
    private ApiKeyCheck() {}

    static CompletionStage<ApiKeyVerdict> verify(Node node, ApiRequest req, ApiScope scope) {
        Refusal slowDown = node.limits().admitCredentialCheck(req.clientIp());
        if (slowDown != null) {
            return CompletableFuture.completedFuture(new ApiKeyVerdict(null, slowDown));
        }
        return node.apiKeys().verify(req.header("Authorization"), scope).thenApply(v -> {
            if (!v.isAccepted()) {
                node.limits().refused(req.clientIp(), v.refusal());
            }
            return v;
        });
    }
}
