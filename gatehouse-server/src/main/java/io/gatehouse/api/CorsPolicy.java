package io.gatehouse.api;

import io.gatehouse.auth.OriginPolicy;
import io.gatehouse.protocol.RefusalCode;
import java.util.List;
import java.util.Map;

/**
 * Cross-origin access to the user-facing API for a single-page app on another origin (issue #12):
 * {@code /api/v1/auth/*} (login, refresh, logout, verify), {@code /api/v1/tokens*} and the user's
 * task endpoints ({@code /api/v1/tasks}, {@code /api/v1/tasks/{id}}, {@code .../cancel}), for the
 * origins of {@code server.allowed_origins} and no others. A preflight ({@code OPTIONS} with {@code
 * Access-Control-Request-Method}) from a listed origin is answered 204 with the methods and headers
 * these endpoints take; every answer to a listed origin carries {@code Access-Control-Allow-Origin}
 * (the origin itself, never {@code *}: credentials are allowed) and {@code
 * Access-Control-Allow-Credentials: true}. An unlisted origin gets no CORS header at all, so its
 * browser refuses to show it the answer; its preflight gets 403 ORIGIN_NOT_ALLOWED. Every answer on
 * these paths says {@code Vary: Origin}, so no cache serves one origin's answer to another.
 *
 * <p>The routes keep their own Origin and CSRF checks: CORS decides what a browser lets a page read,
 * not who may act.
 */
public final class CorsPolicy {
    static final String ALLOW_METHODS = "GET, POST, DELETE";
    static final String ALLOW_HEADERS = "Content-Type, Authorization, X-CSRF-Token";
    /** How long a browser may reuse a preflight's answer, in seconds. */
    static final long MAX_AGE_SECONDS = 600;

    private static final List<String> PREFIXES = List.of("/api/v1/auth/", "/api/v1/tokens");
    /** The user's task endpoints: the list, one task, its cancel; not the workers' progress and finish calls. */
    private static final java.util.regex.Pattern USER_TASKS =
            java.util.regex.Pattern.compile("/api/v1/tasks(/[^/]+(/cancel)?)?");

    private final OriginPolicy origins;

    public CorsPolicy(OriginPolicy origins) {
        this.origins = origins;
    }

    /** Whether {@code path} is one of the endpoints a page on an allowed origin may call. */
    public boolean covers(String path) {
        if (USER_TASKS.matcher(path).matches()) {
            return true;
        }
        for (String p : PREFIXES) {
            if (path.startsWith(p)
                    && (p.endsWith("/") || path.length() == p.length() || path.charAt(p.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code request} is a CORS preflight. */
    public static boolean isPreflight(ApiRequest request) {
        return "OPTIONS".equals(request.method()) && request.header("Access-Control-Request-Method") != null;
    }

    /** The answer to a preflight on a covered path. */
    public ApiResponse preflight(ApiRequest request) {
        String origin = request.header("Origin");
        if (origin == null || !origins.listed(origin)) {
            return ApiResponse.refusal(RefusalCode.ORIGIN_NOT_ALLOWED.refusal(
                            "Cross-origin requests are allowed only from server.allowed_origins"))
                    .withHeader("Vary", "Origin");
        }
        return withOrigin(new ApiResponse(204, new byte[0], List.of()), origin)
                .withHeader("Access-Control-Allow-Methods", ALLOW_METHODS)
                .withHeader("Access-Control-Allow-Headers", ALLOW_HEADERS)
                .withHeader("Access-Control-Max-Age", Long.toString(MAX_AGE_SECONDS));
    }

    /** {@code response} to a request on a covered path, with the CORS headers its Origin earns. */
    public ApiResponse answer(ApiRequest request, ApiResponse response) {
        String origin = request.header("Origin");
        if (origin == null || !origins.listed(origin)) {
            return response.withHeader("Vary", "Origin");
        }
        return withOrigin(response, origin).withHeader("Access-Control-Expose-Headers", "Retry-After");
    }

    private static ApiResponse withOrigin(ApiResponse response, String origin) {
        List<Map.Entry<String, String>> headers = new java.util.ArrayList<>(response.headers());
        headers.add(Map.entry("Access-Control-Allow-Origin", origin));
        headers.add(Map.entry("Access-Control-Allow-Credentials", "true"));
        headers.add(Map.entry("Vary", "Origin"));
        return new ApiResponse(response.status(), response.body(), List.copyOf(headers));
    }
}
