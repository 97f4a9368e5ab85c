package io.gatehouse.api;

import io.gatehouse.Node;
import io.gatehouse.protocol.RefusalCode;
import java.util.concurrent.CompletableFuture;

/** {@code GET /health} (the process is alive) and {@code GET /ready} (database and broker reachable). */
public final class HealthRoutes {
    private final Node node;

    public HealthRoutes(Node node) {
        this.node = node;
    }

    public void register(HttpApi api) {
        api.route("GET", "/metrics", (req, path) -> CompletableFuture.completedFuture(
                ApiResponse.text(200, node.metrics().scrape(), "text/plain; version=0.0.4; charset=utf-8")));
        api.route("GET", "/health", (req, path) ->
                CompletableFuture.completedFuture(ApiResponse.ok(node.codec().json().createObjectNode().put("status", "ok"))));
        api.route("GET", "/ready", (req, path) -> CompletableFuture.supplyAsync(() -> {
            boolean database = node.database().isReachable();
            boolean broker = node.broker().isReachable();
            if (database && broker) {
                return ApiResponse.ok(node.codec().json().createObjectNode().put("status", "ready"));
            }
            return ApiResponse.refusal(RefusalCode.BACKEND_UNAVAILABLE.refusal(
                    (database ? "" : "database unreachable (database.url) ") + (broker ? "" : "broker unreachable (broker.url)")));
        }, node.blocking()));
    }
}
