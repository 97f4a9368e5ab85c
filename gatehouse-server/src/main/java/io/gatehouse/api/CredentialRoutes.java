package io.gatehouse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.Fingerprint;
import io.gatehouse.revocation.TokenRevoker;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/credentials/revoke {"token": "..."}}, for application backends (an API key
 * with the {@code revoke} scope, or {@code admin}): revokes a token by the token itself, whatever
 * its kind, and closes the connections that use it (see {@link TokenRevoker}; docs/protocol.md).
 * Answers {@code {"revoked": true|false}} and nothing else about the token.
 */
public record CredentialRoutes(ApiKeyCheck keys, TokenRevoker revoker, ObjectMapper json) {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialRoutes.class);
    /** Longer is no token: no header that carries one at the handshake is this long. */
    static final int MAX_TOKEN_CHARS = 8192;

    public void register(HttpApi api) {
        api.route(
                "POST",
                "/api/v1/credentials/revoke",
                (req, path) -> keys.ifAllowed(req, ApiScope.REVOKE, keyName -> revoke(req, keyName)));
    }

    private CompletionStage<ApiResponse> revoke(ApiRequest req, String keyName) {
        ObjectNode body = RequestBody.object(req, json);
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
            return ApiResponse.ok(json.createObjectNode().put("revoked", revoked));
        });
    }
}
