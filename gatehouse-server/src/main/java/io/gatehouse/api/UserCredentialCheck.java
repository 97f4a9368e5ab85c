package io.gatehouse.api;

import io.gatehouse.auth.Credential;
import io.gatehouse.auth.CredentialCarrier;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.CredentialVerifier;
import io.gatehouse.auth.OriginPolicy;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.Verdict;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The credential of a user-facing API request, checked by the same rules as a WebSocket upgrade
 * (SPEC §6): a bearer token or a cookie session with its CSRF header, from an allowed Origin. A
 * refused credential counts against the client IP's {@code limits.auth_failures_per_ip}, as at
 * the upgrade, and an IP that has used it up is refused before any lookup.
 *
 * @param blocking where the routes' actions run (they read the database)
 */
public record UserCredentialCheck(
        RequestLimits limits,
        CredentialExtractor credentials,
        OriginPolicy origins,
        CredentialVerifier verifier,
        Executor blocking) {
    /** Runs {@code action} (on the blocking pool) once the request's credential is verified; else the refusal. */
    CompletionStage<ApiResponse> ifAuthenticated(ApiRequest req, Function<Principal, ApiResponse> action) {
        return ifAuthenticatedThen(req, p -> CompletableFuture.completedFuture(action.apply(p)));
    }

    /** The credential the request carries (a token or the cookie session); null if none. Checks nothing. */
    Credential credentialOf(ApiRequest req) {
        return credentials.extractForHttpApi(req).credential();
    }

    /**
     * The request's cookie session (with the CSRF header that came with it, if any) when that is
     * the credential it carries; else null (a token, nothing, or sessions are off). Checks nothing.
     */
    Credential sessionOf(ApiRequest req) {
        Credential c = credentialOf(req);
        return c != null && c.carrier() == CredentialCarrier.COOKIE ? c : null;
    }

    /** As {@link #ifAuthenticated}, for an action that completes later. */
    CompletionStage<ApiResponse> ifAuthenticatedThen(
            ApiRequest req, Function<Principal, CompletionStage<ApiResponse>> action) {
        return limits.admitCredentialCheck(req.clientIp())
                .thenCompose(slowDown -> slowDown != null
                        ? CompletableFuture.completedFuture(ApiResponse.refusal(slowDown))
                        : checked(req, action));
    }

    private CompletionStage<ApiResponse> checked(
            ApiRequest req, Function<Principal, CompletionStage<ApiResponse>> action) {
        CredentialExtractor.Extraction found = credentials.extractForHttpApi(req);
        if (found.refusal() != null) {
            limits.refused(req.clientIp(), found.refusal());
            return CompletableFuture.completedFuture(ApiResponse.refusal(found.refusal()));
        }
        if (found.credential() != null && found.credential().carrier() == CredentialCarrier.COOKIE) {
            Refusal foreign = origins.check(req.header("Origin"), req.serverOrigin(), false);
            if (foreign != null) {
                return CompletableFuture.completedFuture(ApiResponse.refusal(foreign));
            }
        }
        if (found.isNone()) {
            return CompletableFuture.completedFuture(ApiResponse.refusal(RefusalCode.TOKEN_MISSING.refusal(
                    "Send Authorization: Bearer <token> (or ?token=), or the gh_session cookie with X-CSRF-Token")));
        }
        return verifier.verify(found.credential())
                .thenComposeAsync(
                        (Verdict v) -> {
                            if (v.isAccepted()) {
                                return action.apply(v.principal());
                            }
                            limits.refused(req.clientIp(), v.refusal());
                            return CompletableFuture.completedFuture(ApiResponse.refusal(v.refusal()));
                        },
                        blocking);
    }
}
