package io.gatehouse.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.Node;
import io.gatehouse.auth.CredentialCarrier;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.auth.TokenLifetime;
import io.gatehouse.auth.Verdict;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.MessageCodec;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.Revocation;
import io.gatehouse.store.TokenRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The user-facing API, authenticated by the same credential rules as the WebSocket upgrade:
 * {@code GET auth/verify} and the user's own opaque tokens.
 */
public final class UserRoutes {
    private final Node node;

    public UserRoutes(Node node) {
        this.node = node;
    }

    public void register(HttpApi api) {
        api.route("GET", "/api/v1/auth/verify", (req, path) -> authenticated(req, this::verify));
        api.route("POST", "/api/v1/tokens", (req, path) -> authenticated(req, p -> createToken(req, p)));
        api.route("GET", "/api/v1/tokens", (req, path) -> authenticated(req, this::listTokens));
        api.route(
                "DELETE",
                "/api/v1/tokens/{prefix}",
                (req, path) -> authenticated(req, p -> revokeToken(p, path.get("prefix"))));
    }

    /**
     * Runs {@code action} (on the blocking pool) once the request's credential is verified. A refused
     * credential counts against the client IP's {@code limits.auth_failures_per_ip}, as at the
     * upgrade, and an IP that has used it up is refused before any lookup.
     */
    private CompletionStage<ApiResponse> authenticated(ApiRequest req, Function<Principal, ApiResponse> action) {
        Refusal slowDown = node.limits().admitCredentialCheck(req.clientIp());
        if (slowDown != null) {
            return CompletableFuture.completedFuture(ApiResponse.refusal(slowDown));
        }
        CredentialExtractor.Extraction found = node.credentials().extractForHttpApi(req);
        if (found.refusal() != null) {
            node.limits().refused(req.clientIp(), found.refusal());
            return CompletableFuture.completedFuture(ApiResponse.refusal(found.refusal()));
        }
        if (found.credential() != null && found.credential().carrier() == CredentialCarrier.COOKIE) {
            Refusal foreign = node.origins().check(req.header("Origin"), req.serverOrigin(), false);
            if (foreign != null) {
                return CompletableFuture.completedFuture(ApiResponse.refusal(foreign));
            }
        }
        if (found.isNone()) {
            return CompletableFuture.completedFuture(ApiResponse.refusal(RefusalCode.TOKEN_MISSING.refusal(
                    "Send Authorization: Bearer <token> (or ?token=), or the gh_session cookie with X-CSRF-Token")));
        }
        return node.credentialVerifier()
                .verify(found.credential())
                .thenApplyAsync(
                        (Verdict v) -> {
                            if (v.isAccepted()) {
                                return action.apply(v.principal());
                            }
                            node.limits().refused(req.clientIp(), v.refusal());
                            return ApiResponse.refusal(v.refusal());
                        },
                        node.blocking());
    }

    private ApiResponse verify(Principal p) {
        ObjectNode body = node.codec().json().createObjectNode();
        body.set("user", node.codec().user(p.user()));
        body.put("expires_at", MessageCodec.timestamp(p.expiresAt()));
        body.put("method", p.kind().wireName());
        return ApiResponse.ok(body);
    }

    private ApiResponse createToken(ApiRequest req, Principal p) {
        ObjectNode body = RequestBody.object(req, node.codec().json());
        Duration ttl;
        try {
            ttl = TokenLifetime.of(
                    RequestBody.optionalText(body, "ttl"), node.config().auth().tokens());
        } catch (IllegalArgumentException e) {
            throw RequestBody.bad("ttl: " + e.getMessage());
        }
        // A minted token never outlives the credential that minted it, or a short-lived or leaked
        // credential could turn itself into a long-lived one.
        if (p.expiresAt() != null) {
            Duration left = Duration.between(node.clock().instant(), p.expiresAt());
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
        TokenIssuer.IssuedToken t = node.tokenIssuer().issueOpaque(p.user(), channels, ttl, p.credentialId());
        ObjectNode out = node.codec().json().createObjectNode();
        out.put("token", t.token());
        out.put("prefix", t.prefix());
        out.put("expires_at", t.expiresAt().toString());
        return ApiResponse.json(201, out);
    }

    private ApiResponse listTokens(Principal p) {
        ObjectNode out = node.codec().json().createObjectNode();
        ArrayNode list = out.putArray("tokens");
        for (TokenRecord t : node.tokens().listForUser(p.user().id())) {
            if (t.revokedAt() != null) {
                continue;
            }
            list.addObject()
                    .put("prefix", t.prefix())
                    .put("created_at", MessageCodec.timestamp(t.createdAt()))
                    .put("expires_at", MessageCodec.timestamp(t.expiresAt()))
                    .put("last_used_at", MessageCodec.timestamp(t.lastUsedAt()));
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse revokeToken(Principal p, String prefix) {
        if (!node.tokens().revokeForUser(prefix, p.user().id(), node.clock().instant())) {
            return ApiResponse.refusal(RefusalCode.NOT_FOUND.refusal("You have no active token with prefix " + prefix));
        }
        node.revocationWatcher().revoke(Revocation.Kind.CREDENTIAL, prefix); // closes its live connections
        for (String minted : node.tokens().revokeMintedFrom(prefix, node.clock().instant())) {
            node.revocationWatcher().revoke(Revocation.Kind.CREDENTIAL, minted); // and those of tokens minted with it
        }
        return ApiResponse.ok(node.codec().json().createObjectNode().put("revoked", prefix));
    }
}
