package io.gatehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.store.AccessLogEntry;
import io.gatehouse.store.AccessLogStore;
import io.gatehouse.store.StoreException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/access-log?outcome=&user=&ip=&limit=} (SPEC §6, §8): the newest access-log
 * rows, filtered by exact outcome, user id and client IP, for an API key with the admin scope or
 * an admin's cookie session ({@link AdminCheck}).
 * Rows reach the table a moment after the attempt (the access log writes in batches).
 *
 * @param blocking where the table is read
 */
public record AccessLogRoutes(AdminCheck admins, AccessLogStore store, ObjectMapper json, Executor blocking) {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogRoutes.class);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    public void register(HttpApi api) {
        api.route(
                "GET", "/api/v1/access-log", (req, path) -> admins.ifAllowed(req, ApiScope.ADMIN, who -> entries(req)));
    }

    private CompletionStage<ApiResponse> entries(ApiRequest req) {
        int limit = limit(req.queryParameter("limit"));
        var filter = new AccessLogStore.Filter(optional(req, "outcome"), optional(req, "user"), optional(req, "ip"));
        return CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return store.newest(filter, limit);
                            } catch (StoreException e) {
                                LOG.warn("GET /api/v1/access-log failed", e);
                                throw RefusalCode.BACKEND_UNAVAILABLE
                                        .refusal("The database is unavailable; the access log cannot be read now")
                                        .asException();
                            }
                        },
                        blocking)
                .thenApply(this::body);
    }

    private ApiResponse body(List<AccessLogEntry> entries) {
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray("entries");
        for (AccessLogEntry e : entries) {
            ObjectNode n = list.addObject();
            n.put("time", WireCodec.timestamp(e.time()));
            n.put("client_ip", e.clientIp());
            n.put("origin", e.origin());
            n.put("user_agent", e.userAgent());
            n.put("user_id", e.userId());
            n.put("method", e.method());
            n.put("outcome", e.outcome());
            n.put("token_fingerprint", e.tokenFingerprint());
            n.put("connection_id", e.connectionId());
            n.put("close_code", e.closeCode());
            n.put("duration_ms", e.durationMillis());
            n.put("action", e.action());
            n.put("target", e.target());
        }
        return ApiResponse.ok(out);
    }

    private static int limit(String raw) {
        long limit;
        try {
            limit = RequestBody.wholeNumber(raw, "limit", DEFAULT_LIMIT);
        } catch (RefusalException e) {
            limit = -1; // answered below, with the range
        }
        if (limit >= 1 && limit <= MAX_LIMIT) {
            return (int) limit;
        }
        throw RequestBody.bad(
                "limit must be a whole number from 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ")");
    }

    /** A filter parameter; absent and empty both mean "any". */
    private static String optional(ApiRequest req, String name) {
        String value = req.queryParameter(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
