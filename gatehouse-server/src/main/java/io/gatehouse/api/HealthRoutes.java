package io.gatehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.broker.Broker;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health} (the process is alive), {@code GET /ready} (this node can serve) and
 * {@code GET /metrics} (Prometheus; behind {@code metrics.token} when set).
 *
 * <p>{@code /ready} answers 503 only for what is this node's own (SPEC §6): it is draining for
 * shutdown. The broker and the database are shared by every node: one that is down would make
 * every node answer 503 at once, and a load balancer would drop them all, so it answers 200 with
 * {@code "status": "degraded"} and names what it cannot reach in {@code unreachable}. The node
 * keeps its open connections meanwhile, and refuses what needs the missing dependency with
 * BACKEND_UNAVAILABLE.
 *
 * @param brokerAddress where the broker is, without a password ({@code broker.url redis://HOST:PORT/DB})
 * @param draining whether the node is draining for shutdown
 * @param blocking where the database is asked whether it answers
 */
public record HealthRoutes(
        GatehouseConfig.Metrics config,
        GatehouseMetrics metrics,
        Database database,
        Broker broker,
        String brokerAddress,
        BooleanSupplier draining,
        ObjectMapper json,
        Executor blocking) {
    static final String DEGRADED_HINT = "This node serves its open connections; publishes, subscriptions and"
            + " what else needs what is listed answer BACKEND_UNAVAILABLE until it is back";

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
        api.route("GET", "/ready", (req, path) -> {
            if (draining.getAsBoolean()) {
                return CompletableFuture.completedFuture(
                        ApiResponse.refusal(
                                RefusalCode.SERVER_SHUTTING_DOWN.refusal(
                                        "This node is draining for shutdown; the load balancer should send new connections elsewhere")));
            }
            return CompletableFuture.supplyAsync(this::readiness, blocking);
        });
    }

    /** 200 {@code ready}, or 200 {@code degraded} listing what cannot be reached; asks the database (blocks). */
    private ApiResponse readiness() {
        List<String> unreachable = new ArrayList<>();
        if (!broker.isReachable()) {
            unreachable.add(brokerAddress);
        }
        if (!database.isReachable()) {
            unreachable.add(ConfigKey.DATABASE_URL.key());
        }
        ObjectNode body = json.createObjectNode().put("status", unreachable.isEmpty() ? "ready" : "degraded");
        ArrayNode listed = body.putArray("unreachable");
        unreachable.forEach(listed::add);
        if (!unreachable.isEmpty()) {
            body.put("hint", DEGRADED_HINT);
        }
        return ApiResponse.ok(body);
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
