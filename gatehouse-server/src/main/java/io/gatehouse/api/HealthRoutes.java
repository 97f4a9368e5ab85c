package io.gatehouse.api;

import io.gatehouse.Node;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /health} (the process is alive), {@code GET /ready} (database and broker reachable)
 * and {@code GET /metrics} (Prometheus; behind {@code metrics.token} when set).
 */
public final class HealthRoutes {
    private final Node node;

    public HealthRoutes(Node node) {
        this.node = node;
    }

    public void register(HttpApi api) {
        api.route("GET", "/metrics", (req, path) -> {
            Refusal refused = metricsRefusal(req);
            return CompletableFuture.completedFuture(
                    refused != null
                            ? ApiResponse.refusal(refused)
                            : ApiResponse.text(
                                    200, node.metrics().scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        });
        api.route(
                "GET",
                "/health",
                (req, path) -> CompletableFuture.completedFuture(
                        ApiResponse.ok(node.codec().json().createObjectNode().put("status", "ok"))));
        api.route(
                "GET",
                "/ready",
                (req, path) -> CompletableFuture.supplyAsync(
                        () -> {
                            boolean database = node.database().isReachable();
                            boolean broker = node.broker().isReachable();
                            if (database && broker) {
                                return ApiResponse.ok(
                                        node.codec().json().createObjectNode().put("status", "ready"));
                            }
                            return ApiResponse.refusal(RefusalCode.BACKEND_UNAVAILABLE.refusal(
                                    (database ? "" : "database unreachable (database.url) ")
                                            + (broker ? "" : "broker unreachable (broker.url)")));
                        },
                        node.blocking()));
    }

    /** With {@code metrics.token} set, {@code /metrics} needs {@code Authorization: Bearer <metrics.token>}; null when allowed. */
    private Refusal metricsRefusal(ApiRequest req) {
        String token = node.config().metrics().token();
        if (token.isEmpty()) {
            return null;
        }
        String authorization = req.header("Authorization");
        if (authorization == null || authorization.isEmpty()) {
            return RefusalCode.TOKEN_MISSING.refusal("GET /metrics needs Authorization: Bearer <metrics.token>");
        }
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, authorization.getBytes(StandardCharsets.UTF_8))) {
            return RefusalCode.TOKEN_INVALID.refusal("Not the metrics token (metrics.token)");
        }
        return null;
    }
}
