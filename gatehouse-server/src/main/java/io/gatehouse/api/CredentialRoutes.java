package io.gatehouse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.accesslog.AdminAction;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.Fingerprint;
import io.gatehouse.auth.OpaqueTokenVerifier;
import io.gatehouse.auth.PrintableId;
import io.gatehouse.auth.SecretToken;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.revocation.TokenRevoker;
import io.gatehouse.store.StoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revoking tokens from outside (see {@link TokenRevoker}; docs/protocol.md):
 *
 * <ul>
 * <li>{@code POST /api/v1/credentials/revoke {"token": "..."}}, for application backends (an API key
 * with the {@code revoke} scope, or {@code admin}): revokes a token by the token itself, whatever its
 * kind, and closes the connections that use it. Answers {@code {"revoked": true|false}} and nothing
 * else about the token.
 * <li>{@code DELETE /api/v1/users/{id}/tokens/{prefix}}, for admins ({@link AdminCheck}): revokes
 * that user's opaque token and the ones minted with it, as the user's own
 * {@code DELETE /api/v1/tokens/{prefix}} does. Answers {@code {"revoked": PREFIX}}, or 404 when it is
 * not that user's unrevoked token.
 * </ul>
 *
 * @param blocking where the admin revoke reads and writes the database
 */
public record CredentialRoutes(AdminCheck admins, TokenRevoker revoker, ObjectMapper json, Executor blocking) {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialRoutes.class);
    /** Longer is no token: no header that carries one at the handshake is this long. */
    static final int MAX_TOKEN_CHARS = 8192;
    /** Longer is no user id of a token: the tokens table holds at most this many characters. */
    static final int MAX_USER_ID_CHARS = 255;

    public void register(HttpApi api) {
        api.route(
                "POST",
                "/api/v1/credentials/revoke",
                (req, path) -> admins.keys().ifAllowed(req, ApiScope.REVOKE, keyName -> revoke(req, keyName)));
        api.route(
                "DELETE",
                "/api/v1/users/{id}/tokens/{prefix}",
                (req, path) -> admins.ifAllowed(
                        req, ApiScope.ADMIN, who -> revokeOfUser(who, path.get("id"), path.get("prefix"))));
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

    private CompletionStage<ApiResponse> revokeOfUser(Operator who, String userId, String prefix) {
        if (userId.isEmpty() || userId.length() > MAX_USER_ID_CHARS || !PrintableId.isPrintable(userId)) {
            throw RequestBody.bad("The user id in the path must be 1 to " + MAX_USER_ID_CHARS
                    + " characters without control characters (user_id in GET /api/v1/connections)");
        }
        if (!SecretToken.isPrefix(prefix, OpaqueTokenVerifier.KIND)) {
            throw RequestBody.bad("A token prefix is " + OpaqueTokenVerifier.KIND
                    + " and 8 characters of A-Z a-z 0-9 _ - (token_prefix in GET /api/v1/connections)");
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    boolean revoked;
                    try {
                        revoked = revoker.revokeOfUser(prefix, userId);
                    } catch (StoreException e) {
                        LOG.warn("an admin token revoke failed", e);
                        throw RefusalCode.BACKEND_UNAVAILABLE
                                .refusal("The database is unavailable; try again")
                                .asException();
                    }
                    if (!revoked) {
                        return ApiResponse.refusal(
                                RefusalCode.NOT_FOUND.refusal("The user has no active token with prefix " + prefix));
                    }
                    LOG.info("token {} of user {} revoked by {}", prefix, PrintableId.escape(userId), who);
                    who.performed(AdminAction.TOKEN_REVOKE, userId + " " + prefix);
                    return ApiResponse.ok(json.createObjectNode().put("revoked", prefix));
                },
                blocking);
    }
}
