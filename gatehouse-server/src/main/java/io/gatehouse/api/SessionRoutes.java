package io.gatehouse.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.AuthRequest;
import io.gatehouse.auth.OriginPolicy;
import io.gatehouse.auth.Sessions;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.revocation.RevocationWatcher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Cookie sessions over HTTP (SPEC §2, §6): {@code POST auth/login}, {@code auth/refresh},
 * {@code auth/logout}. Logins hash on the password-hashing pool; the rest runs on the blocking pool (database).
 *
 * @param revocations acts on a logout's revocation at once
 * @param blocking where sessions are read and written
 */
public record SessionRoutes(
        GatehouseConfig.Session config,
        Sessions sessions,
        OriginPolicy origins,
        RequestLimits limits,
        RevocationWatcher revocations,
        GatehouseMetrics metrics,
        WireCodec codec,
        Executor blocking) {
    public void register(HttpApi api) {
        api.route("POST", "/api/v1/auth/login", (req, path) -> login(req));
        api.route(
                "POST",
                "/api/v1/auth/refresh",
                (req, path) -> limits.admitCredentialCheck(req.clientIp())
                        .thenComposeAsync(
                                slowDown -> slowDown != null
                                        ? done(ApiResponse.refusal(slowDown))
                                        : CompletableFuture.completedFuture(refresh(req)),
                                blocking));
        api.route(
                "POST",
                "/api/v1/auth/logout",
                (req, path) -> CompletableFuture.supplyAsync(() -> logout(req), blocking));
    }

    /**
     * Cheap checks first, on the caller's thread (no I/O): the body, the Origin, the per-IP and
     * per-account failure limits (with several nodes, then across nodes, on Redis's answer). Then the password, on the password-hashing pool, never on the
     * blocking pool that token and session lookups need.
     */
    private CompletionStage<ApiResponse> login(ApiRequest req) {
        if (!config.enabled()) {
            return done(ApiResponse.refusal(RefusalCode.NOT_FOUND.refusal(
                    "Cookie sessions are off (auth.session.enabled: false); use tokens")));
        }
        // Login CSRF: a cross-site form can post text/plain or a form, not JSON without a CORS
        // preflight; and a browser's Origin, when sent, must be one of ours.
        String type = req.header("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return done(ApiResponse.refusal(
                    RefusalCode.BAD_REQUEST.refusal("Send the login as Content-Type: application/json")));
        }
        Refusal foreign = origins.check(req.header("Origin"), req.serverOrigin(), false);
        if (foreign != null) {
            return done(ApiResponse.refusal(foreign));
        }
        // Before Argon2: guessing must not cost us more than them.
        return limits.admitLogin(req.clientIp())
                .thenCompose(slowDown -> slowDown != null ? done(ApiResponse.refusal(slowDown)) : reserve(req));
    }

    /**
     * Reads the body and reserves the failures: taken before Argon2 and given back on success, so
     * that logins sent at once cannot all pass a check that would only count them once hashed.
     */
    private CompletionStage<ApiResponse> reserve(ApiRequest req) {
        ObjectNode body = RequestBody.object(req, codec.json());
        String username = RequestBody.optionalText(body, "username");
        String password = RequestBody.optionalText(body, "password");
        if (username == null || password == null) {
            throw RequestBody.bad("The body needs username and password");
        }
        return limits.reserveLoginFailure(req.clientIp(), username)
                .thenCompose(refused ->
                        refused != null ? done(ApiResponse.refusal(refused)) : checkPassword(req, username, password));
    }

    /** Hashes {@code password} on the password-hashing pool, with both failures reserved. */
    private CompletionStage<ApiResponse> checkPassword(ApiRequest req, String username, String password) {
        CompletionStage<java.util.Optional<Sessions.NewSession>> checked;
        try {
            checked = sessions.login(username, password.toCharArray());
        } catch (RuntimeException notChecked) {
            limits.loginNotFailed(req.clientIp(), username);
            throw notChecked;
        }
        return checked.whenComplete((session, notChecked) -> {
                    if (notChecked != null || session.isPresent()) {
                        limits.loginNotFailed(req.clientIp(), username); // the hashing queue was full, or it succeeded
                    }
                })
                .thenApply(session -> {
                    if (session.isEmpty()) {
                        return ApiResponse.refusal(RefusalCode.LOGIN_FAILED.refusal()); // the reserved failures stand
                    }
                    Sessions.NewSession s = session.get();
                    ObjectNode out = codec.json().createObjectNode();
                    out.set("user", codec.json().valueToTree(s.user().info()));
                    out.put("csrf_token", s.csrfToken());
                    out.put("expires_at", s.expiresAt().toString());
                    return withCookies(
                            ApiResponse.ok(out), s.sessionValue(), s.csrfToken(), sessions.ttl(), secure(req));
                });
    }

    private static CompletionStage<ApiResponse> done(ApiResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    /**
     * Whether the browser reached us over https, through a TLS-terminating proxy. Trusting the
     * header cannot hurt: it can only make the cookies stricter (sent over https only).
     */
    private static boolean secure(ApiRequest req) {
        String proto = req.header("X-Forwarded-Proto");
        String forwarded = req.header("Forwarded");
        return "https".equalsIgnoreCase(proto)
                || (forwarded != null
                        && forwarded.toLowerCase(java.util.Locale.ROOT).contains("proto=https"));
    }

    private ApiResponse refresh(ApiRequest req) {
        String session = req.cookie(Sessions.SESSION_COOKIE);
        if (session == null) {
            return ApiResponse.refusal(
                    RefusalCode.TOKEN_MISSING.refusal("No gh_session cookie; POST /api/v1/auth/login"));
        }
        Refusal foreign = origins.check(req.header("Origin"), req.serverOrigin(), false);
        if (foreign != null) {
            return ApiResponse.refusal(foreign);
        }
        Sessions.Refreshed r = sessions.refresh(session, csrf(req));
        if (r.refusal() != null) {
            limits.refused(req.clientIp(), r.refusal());
            return ApiResponse.refusal(r.refusal());
        }
        metrics.sessionRefreshed();
        ObjectNode out = codec.json().createObjectNode();
        out.put("csrf_token", r.csrfToken());
        out.put("expires_at", r.expiresAt().toString());
        return withCookies(ApiResponse.ok(out), session, r.csrfToken(), sessions.ttl(), secure(req));
    }

    private ApiResponse logout(ApiRequest req) {
        String session = req.cookie(Sessions.SESSION_COOKIE);
        if (session == null) {
            return ApiResponse.refusal(RefusalCode.TOKEN_MISSING.refusal("No gh_session cookie"));
        }
        Refusal foreign = origins.check(req.header("Origin"), req.serverOrigin(), false);
        if (foreign != null) {
            return ApiResponse.refusal(foreign);
        }
        Refusal refused = sessions.logout(session, csrf(req));
        if (refused != null) {
            return ApiResponse.refusal(refused);
        }
        revocations.poll(); // Sessions.logout journaled it; act now rather than at the next tick
        return withCookies(
                ApiResponse.ok(codec.json().createObjectNode().put("logged_out", true)),
                "",
                "",
                Duration.ZERO,
                secure(req));
    }

    private static String csrf(AuthRequest req) {
        return req.header(Sessions.CSRF_HEADER);
    }

    /**
     * The session cookie is HttpOnly; the CSRF cookie is readable by the page's scripts; both have
     * SameSite {@code auth.session.same_site} and are Secure under TLS, and always with
     * {@code SameSite=None}, which browsers drop without it.
     */
    private ApiResponse withCookies(ApiResponse r, String session, String csrf, Duration maxAge, boolean secure) {
        GatehouseConfig.SameSite sameSite = config.sameSite();
        String attributes = "; Path=/; Max-Age=" + maxAge.toSeconds() + "; SameSite=" + sameSite.attribute()
                + (secure || sameSite == GatehouseConfig.SameSite.NONE ? "; Secure" : "");
        return r.withHeader("Set-Cookie", Sessions.SESSION_COOKIE + "=" + session + attributes + "; HttpOnly")
                .withHeader("Set-Cookie", Sessions.CSRF_COOKIE + "=" + csrf + attributes);
    }
}
