package io.gatehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.broker.Broker;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code GET /health} (the process is alive), {@code GET /ready} (database and broker reachable)
 * and {@code GET /metrics} (Prometheus; behind {@code metrics.token} when set).
 *
 * @param blocking where the database is asked whether it answers
 */
public record HealthRoutes(
        GatehouseConfig.Metrics config,
        GatehouseMetrics metrics,
        Database database,
        Broker broker,
        ObjectMapper json,
        Executor blocking) {
    public void register(HttpApi api) {
        api.route("GET", "/metrics", (req, path) -> {
            Refusal refused = metricsRefusal(req);
            return CompletableFuture.completedFuture(
                    refused != null
                            ? ApiResponse.refusal(refused)
                            : ApiResponse.text(200, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        });
        api.route(
                "GET",
                "/health",
                (req, path) -> CompletableFuture.completedFuture(
                        ApiResponse.ok(json.createObjectNode().put("status", "ok"))));
        api.route(
                "GET",
                "/ready",
                (req, path) -> CompletableFuture.supplyAsync(
                        () -> {
                            boolean databaseUp = database.isReachable();
                            boolean brokerUp = broker.isReachable();
                            if (databaseUp && brokerUp) {
                                return ApiResponse.ok(json.createObjectNode().put("status", "ready"));
                            }
                            return ApiResponse.refusal(RefusalCode.BACKEND_UNAVAILABLE.refusal(
                                    (databaseUp ? "" : "database unreachable (database.url) ")
                                            + (brokerUp ? "" : "broker unreachable (broker.url)")));
                        },
                        blocking));
    }

    /** With {@code metrics.token} set, {@code /metrics} needs {@code Authorization: Bearer <metrics.token>}; null when allowed. */
    private Refusal metricsRefusal(ApiRequest req) {
        String token = config.token();
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
