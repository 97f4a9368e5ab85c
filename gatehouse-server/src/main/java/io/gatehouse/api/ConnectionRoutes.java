package io.gatehouse.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.accesslog.AdminAction;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.PrintableId;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.broker.Broker;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.ConnectionIds;
import io.gatehouse.hub.Hub;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.WireCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * This node's live connections, for admins ({@link AdminCheck}; docs/protocol.md, "Admin API"):
 * {@code GET /api/v1/connections?user=} lists them; {@code POST /api/v1/users/{id}/disconnect} closes
 * every connection of a user and {@code POST /api/v1/connections/{id}/disconnect} one connection,
 * both through the broker's control commands, so that they hold on every node.
 */
public record ConnectionRoutes(AdminCheck admins, WireCodec codec, Broker broker, Hub hub) {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConnectionRoutes.class);

    public void register(HttpApi api) {
        api.route(
                "GET",
                "/api/v1/connections",
                (req, path) -> admins.ifAllowed(req, ApiScope.ADMIN, who -> connections(req)));
        api.route(
                "POST",
                "/api/v1/users/{id}/disconnect",
                (req, path) -> admins.ifAllowed(req, ApiScope.ADMIN, who -> disconnectUser(req, who, path.get("id"))));
        api.route(
                "POST",
                "/api/v1/connections/{id}/disconnect",
                (req, path) ->
                        admins.ifAllowed(req, ApiScope.ADMIN, who -> disconnectConnection(req, who, path.get("id"))));
    }

    private CompletionStage<ApiResponse> disconnectUser(ApiRequest req, Operator who, String userId) {
        DisconnectRequest d = DisconnectRequest.of(req, codec.json());
        int count = hub.connectionsOf(userId).size();
        LOG.info(
                "disconnect user={} code={} by {} reason=\"{}\"",
                PrintableId.escape(userId),
                d.code().name(),
                who,
                d.loggedReason());
        who.performed(AdminAction.USER_DISCONNECT, userId + " code=" + d.code().name());
        return broker.publishControl(
                        new ControlCommand.DisconnectUser(userId, d.code().refusal()))
                .thenApply(done -> ApiResponse.ok(codec.json()
                        .createObjectNode()
                        .put("user", userId)
                        .put("code", d.code().name())
                        .put("disconnected_here", count)));
    }

    /** 404 unless the connection is on this node: GET /api/v1/connections lists this node's. */
    private CompletionStage<ApiResponse> disconnectConnection(ApiRequest req, Operator who, String id) {
        if (!ConnectionIds.isWellFormed(id)) {
            throw RequestBody.bad(ConnectionIds.shapeHint());
        }
        DisconnectRequest d = DisconnectRequest.of(req, codec.json());
        if (hub.connection(id) == null) {
            return CompletableFuture.completedFuture(
                    ApiResponse.refusal(RefusalCode.NOT_FOUND.refusal("No open connection " + id + " on this node")));
        }
        LOG.info(
                "disconnect connection={} code={} by {} reason=\"{}\"",
                id,
                d.code().name(),
                who,
                d.loggedReason());
        who.performed(
                AdminAction.CONNECTION_DISCONNECT, id + " code=" + d.code().name());
        return broker.publishControl(
                        new ControlCommand.DisconnectConnection(id, d.code().refusal()))
                .thenApply(
                        done -> ApiResponse.ok(codec.json().createObjectNode().put("disconnected", id)));
    }

    private CompletionStage<ApiResponse> connections(ApiRequest req) {
        String user = req.queryParameter("user");
        ObjectNode out = codec.json().createObjectNode();
        ArrayNode list = out.putArray("connections");
        for (Connection c : user == null ? hub.connections() : hub.connectionsOf(user)) {
            ObjectNode n = list.addObject();
            n.put("connection_id", c.id());
            n.put("user_id", c.principal().user().id());
            n.put("name", c.principal().user().name());
            n.put("connected_at", WireCodec.timestamp(c.connectedAt()));
            n.put("client_ip", c.clientIp());
            n.put("method", c.principal().kind().wireName());
            n.put("expires_at", WireCodec.timestamp(c.principal().expiresAt()));
            n.put("origin", c.origin());
            List<String> channels = hub.channelsOf(c).stream().sorted().toList();
            n.set("subscriptions", codec.json().valueToTree(channels));
            n.set("channels", codec.json().valueToTree(channels)); // the older name of subscriptions
            n.put(
                    "token_prefix",
                    c.principal().kind() == TokenKind.OPAQUE ? c.principal().credentialId() : null);
        }
        return CompletableFuture.completedFuture(ApiResponse.ok(out));
    }
}
