package io.gatehouse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.auth.SigningKey;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.RefusalCode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /.well-known/jwks.json}: the public JWK set of the server's signing key
 * ({@code auth.jwt.signing_key}), so other services can verify the JWTs it mints. Public members
 * only; 404 NOT_FOUND when the server signs with HS256 alone, which has nothing to publish.
 */
public final class WellKnownRoutes {
    /** The set, built once: the key is fixed for the life of the node. Empty without a signing key. */
    private final Optional<JsonNode> jwks;

    public WellKnownRoutes(GatehouseConfig.Jwt config, ObjectMapper json) {
        Optional<SigningKey> key = SigningKey.fromConfig(config);
        // toJSONObject(true): public members only, whatever the JWK holds.
        this.jwks = key.map(k -> json.valueToTree(new JWKSet(k.publicJwk()).toJSONObject(true)));
    }

    public void register(HttpApi api) {
        api.route(
                "GET",
                "/.well-known/jwks.json",
                (req, path) -> CompletableFuture.completedFuture(jwks.map(ApiResponse::ok)
                        .orElseGet(() -> ApiResponse.refusal(RefusalCode.NOT_FOUND.refusal(
                                "No JWK set: no asymmetric signing key configured (auth.jwt.signing_key)")))));
    }
}
