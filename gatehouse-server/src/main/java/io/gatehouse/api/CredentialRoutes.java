package io.gatehouse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.Node;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.Fingerprint;
import io.gatehouse.hub.TokenRevoker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/credentials/revoke {"token": "..."}}, for application backends (an API key
 * with the {@code revoke} scope, or {@code admin}): revokes a token by the token itself, whatever
 * its kind, and closes the connections that use it (see {@link TokenRevoker}; docs/protocol.md).
 * Answers {@code {"revoked": true|false}} and nothing else about the token.
 */
public final class CredentialRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialRoutes.class);
    /** Longer is no token: no header that carries one at the handshake is this long. */
    static final int MAX_TOKEN_CHARS = 8192;

    private final Node node;
    private final TokenRevoker revoker;

    public CredentialRoutes(Node node, TokenRevoker revoker) {
        this.node = node;
        this.revoker = revoker;
    }

    public void register(HttpApi api) {
        api.route(
                "POST",
                "/api/v1/credentials/revoke",
                (req, path) -> ApiKeyCheck.verify(node, req, ApiScope.REVOKE)
                        .thenCompose(v -> v.isAccepted()
                                ? revoke(req, v.keyName())
                                : CompletableFuture.completedFuture(ApiResponse.refusal(v.refusal()))));
    }

    private CompletionStage<ApiResponse> revoke(ApiRequest req, String keyName) {
        ObjectNode body = RequestBody.object(req, node.codec().json());
        JsonNode field = body.get("token");
        if (field == null || field.isNull()) {
            throw RequestBody.bad("The body needs token: the token to revoke, as a string");
        }
        if (!field.isTextual()) {
            throw RequestBody.bad("The field token must be a string");
        }
        String token = field.asText();
        if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw RequestBody.bad("The field token must be 1 to " + MAX_TOKEN_CHARS + " characters");
        }
        return revoker.revoke(token).thenApply(revoked -> {
            LOG.info(
                    "credential revoke by key={}: token fingerprint {} revoked={}",
                    keyName,
                    Fingerprint.of(token),
                    revoked);
            return ApiResponse.ok(node.codec().json().createObjectNode().put("revoked", revoked));
        });
    }
}
