package io.gatehouse.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.auth.TokenLifetime;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.revocation.TokenRevoker;
import io.gatehouse.store.TokenRecord;
import io.gatehouse.store.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The user-facing API, authenticated by the same credential rules as the WebSocket upgrade:
 * {@code GET auth/verify} and the user's own opaque tokens.
 *
 * @param lifetimes auth.tokens: the default and longest lifetime of a token made here
 */
public record UserRoutes(
        UserCredentialCheck users,
        WireCodec codec,
        TokenIssuer issuer,
        TokenStore tokens,
        TokenRevoker revoker,
        GatehouseConfig.Tokens lifetimes,
        Clock clock) {
    public void register(HttpApi api) {
        api.route("GET", "/api/v1/auth/verify", (req, path) -> users.ifAuthenticated(req, this::verify));
        api.route("POST", "/api/v1/tokens", (req, path) -> users.ifAuthenticated(req, p -> createToken(req, p)));
        api.route("GET", "/api/v1/tokens", (req, path) -> users.ifAuthenticated(req, this::listTokens));
        api.route(
                "DELETE",
                "/api/v1/tokens/{prefix}",
                (req, path) -> users.ifAuthenticated(req, p -> revokeToken(p, path.get("prefix"))));
    }

    private ApiResponse verify(Principal p) {
        ObjectNode body = codec.json().createObjectNode();
        body.set("user", codec.json().valueToTree(p.user().info()));
        body.put("expires_at", WireCodec.timestamp(p.expiresAt()));
        body.put("method", p.kind().wireName());
        return ApiResponse.ok(body);
    }

    private ApiResponse createToken(ApiRequest req, Principal p) {
        ObjectNode body = RequestBody.object(req, codec.json());
        Duration ttl;
        try {
            ttl = TokenLifetime.of(RequestBody.optionalText(body, "ttl"), lifetimes);
        } catch (IllegalArgumentException e) {
            throw RequestBody.bad("ttl: " + e.getMessage());
        }
        // A minted token never outlives the credential that minted it, or a short-lived or leaked
        // credential could turn itself into a long-lived one.
        if (p.expiresAt() != null) {
            Duration left = Duration.between(clock.instant(), p.expiresAt());
            if (left.compareTo(ttl) < 0) {
                ttl = left;
            }
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw RefusalCode.TOKEN_EXPIRED.refusal().asException();
        }
        List<String> channels = RequestBody.stringList(body, "channels");
        for (String c : channels) {
            if (ChannelName.parse(c).isEmpty()) {
                throw RequestBody.bad("channels: '" + c + "' is not a channel name. " + ChannelName.grammarHint());
            }
        }
        if (!p.user().isAdmin() && !p.channels().containsAll(channels)) {
            throw RefusalCode.PERMISSION_DENIED
                    .refusal("A token can only grant channels your own credential grants")
                    .asException();
        }
        TokenIssuer.IssuedToken t = issuer.issueOpaque(p.user(), channels, ttl, p.credentialId());
        ObjectNode out = codec.json().createObjectNode();
        out.put("token", t.token());
        out.put("prefix", t.prefix());
        out.put("expires_at", t.expiresAt().toString());
        return ApiResponse.json(201, out);
    }

    private ApiResponse listTokens(Principal p) {
        ObjectNode out = codec.json().createObjectNode();
        ArrayNode list = out.putArray("tokens");
        for (TokenRecord t : tokens.listForUser(p.user().id())) {
            if (t.revokedAt() != null) {
                continue;
            }
            list.addObject()
                    .put("prefix", t.prefix())
                    .put("created_at", WireCodec.timestamp(t.createdAt()))
                    .put("expires_at", WireCodec.timestamp(t.expiresAt()))
                    .put("last_used_at", WireCodec.timestamp(t.lastUsedAt()));
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse revokeToken(Principal p, String prefix) {
        if (!revoker.revokeOfUser(prefix, p.user().id())) { // and closes its live connections
            return ApiResponse.refusal(RefusalCode.NOT_FOUND.refusal("You have no active token with prefix " + prefix));
        }
        return ApiResponse.ok(codec.json().createObjectNode().put("revoked", prefix));
    }
}
