package io.gatehouse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.accesslog.AdminAction;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.PrintableId;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.store.StoreException;
import io.gatehouse.store.WebhookEvent;
import io.gatehouse.store.WebhookStore;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead webhook events (docs/webhooks.md), for an API key with the admin scope or an admin's
 * cookie session ({@link AdminCheck}):
 * {@code GET /api/v1/hooks/dead} lists the {@value #LIMIT} most recently failed, each with its body
 * and last error; {@code POST /api/v1/hooks/dead/{id}/retry} makes one pending again, with a fresh
 * count of attempts (404 NOT_FOUND when no dead event has that id).
 *
 * @param wake tells the delivery worker that an event is due
 */
public record HookRoutes(
        AdminCheck admins, WebhookStore store, ObjectMapper json, Executor blocking, Clock clock, Runnable wake) {
    private static final Logger LOG = LoggerFactory.getLogger(HookRoutes.class);
    static final int LIMIT = 1000;

    public void register(HttpApi api) {
        api.route("GET", "/api/v1/hooks/dead", (req, path) -> admins.ifAllowed(req, ApiScope.ADMIN, who -> dead()));
        api.route(
                "POST",
                "/api/v1/hooks/dead/{id}/retry",
                (req, path) -> admins.ifAllowed(req, ApiScope.ADMIN, who -> retry(who, path.get("id"))));
    }

    private CompletionStage<ApiResponse> dead() {
        return blocking(() -> store.dead(LIMIT)).thenApply(this::list);
    }

    private CompletionStage<ApiResponse> retry(Operator who, String id) {
        return blocking(() -> store.retry(id, clock.instant())).thenApply(retried -> {
            if (!retried) {
                return ApiResponse.refusal(RefusalCode.NOT_FOUND.refusal("No dead webhook event has id " + id));
            }
            LOG.info("webhook event {} retried by {}", PrintableId.escape(id), who);
            who.performed(AdminAction.WEBHOOK_RETRY, id);
            wake.run();
            return ApiResponse.ok(json.createObjectNode().put("retried", id));
        });
    }

    private ApiResponse list(List<WebhookEvent> events) {
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray("events");
        for (WebhookEvent e : events) {
            ObjectNode n = list.addObject();
            n.put("id", e.id());
            n.put("type", e.type());
            n.put("created_at", WireCodec.timestamp(e.createdAt()));
            n.put("attempts", e.attempts());
            n.put("last_error", e.lastError());
            n.set("body", body(e));
        }
        return ApiResponse.ok(out);
    }

    private JsonNode body(WebhookEvent e) {
        try {
            return json.readTree(e.body());
        } catch (IOException unreadable) {
            return json.getNodeFactory().textNode(e.body());
        }
    }

    private <T> CompletionStage<T> blocking(Supplier<T> work) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return work.get();
                    } catch (StoreException e) {
                        LOG.warn("the webhook outbox cannot be read", e);
                        throw RefusalCode.BACKEND_UNAVAILABLE
                                .refusal("The database is unavailable; try again")
                                .asException();
                    }
                },
                blocking);
    }
}
