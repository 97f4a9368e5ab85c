package io.gatehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.protocol.RefusalCode;
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
 * {@code GET /api/v1/access-log?outcome=&code=&refused=&user=&ip=&since=&until=&limit=} (SPEC §6,
 * §8; {@link AccessLogQuery}): the newest access-log rows, for an API key with the admin scope or
 * an admin's cookie session ({@link AdminCheck}). Each refused row carries its refusal code and
 * that code's documented hint ({@link RefusalCode#defaultHint()}).
 * Rows reach the table a moment after the attempt (the access log writes in batches).
 *
 * @param blocking where the table is read
 */
public record AccessLogRoutes(AdminCheck admins, AccessLogStore store, ObjectMapper json, Executor blocking) {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogRoutes.class);

    public void register(HttpApi api) {
        api.route(
                "GET", "/api/v1/access-log", (req, path) -> admins.ifAllowed(req, ApiScope.ADMIN, who -> entries(req)));
    }

    private CompletionStage<ApiResponse> entries(ApiRequest req) {
        AccessLogQuery query = AccessLogQuery.of(req);
        return CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return store.newest(query.filter(), query.limit());
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
            String refusal = AccessLogEntry.ACCEPTED.equals(e.outcome()) ? null : e.outcome();
            n.put("code", refusal);
            n.put(
                    "hint",
                    refusal == null
                            ? null
                            : RefusalCode.fromName(refusal)
                                    .map(RefusalCode::defaultHint)
                                    .orElse(null));
            n.put("action", e.action());
            n.put("target", e.target());
        }
        return ApiResponse.ok(out);
    }
}
