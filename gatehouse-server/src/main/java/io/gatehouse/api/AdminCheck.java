package io.gatehouse.api;

import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.Credential;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.protocol.RefusalCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Who may use an admin endpoint (docs/protocol.md, "Admin API"): an API key with the endpoint's
 * scope, or the cookie session of a user with the admin role. A request with an
 * {@code Authorization} header, or without a session cookie, is judged as an API-key request, as
 * before (no credential: 401 TOKEN_MISSING). A request whose credential is the {@code gh_session}
 * cookie is judged as on the user-facing API ({@link UserCredentialCheck}: an allowed Origin, the
 * CSRF token in {@code X-CSRF-Token}, the per-IP failure limit), and then its user must be an
 * admin: else 403 PERMISSION_DENIED. The action learns who acted as an {@link Operator}.
 *
 * @param accessLog where an admin user's actions are recorded
 */
public record AdminCheck(ApiKeyCheck keys, UserCredentialCheck users, AccessLog accessLog) {
    /** {@code action} once the request's key has {@code scope} or its session is an admin's; else the refusal. */
    CompletionStage<ApiResponse> ifAllowed(
            ApiRequest req, ApiScope scope, Function<Operator, CompletionStage<ApiResponse>> action) {
        Credential session = req.header("Authorization") == null ? users.sessionOf(req) : null;
        if (session == null) {
            return keys.ifAllowed(req, scope, keyName -> action.apply(Operator.key(keyName)));
        }
        return users.ifAuthenticatedThen(req, p -> {
            if (p.kind() != TokenKind.SESSION || !p.user().isAdmin()) {
                return CompletableFuture.completedFuture(ApiResponse.refusal(
                        RefusalCode.PERMISSION_DENIED.refusal("Only a user with the admin role (or an API key with the "
                                + scope.wireName() + " scope) may do this")));
            }
            return action.apply(Operator.admin(p, session, req, accessLog));
        });
    }
}
