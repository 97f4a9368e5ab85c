package io.gatehouse.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.PrintableId;
import io.gatehouse.broker.Broker;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.hub.Hub;
import io.gatehouse.permissions.ChannelAccess;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.WireCodec;
import java.util.concurrent.CompletionStage;

/**
 * The application subscribing and unsubscribing a user (docs/integrations.md): {@code POST
 * /api/v1/users/{id}/subscribe} and {@code .../unsubscribe} {channel}, with a publish or admin key.
 * Every connection of the user, on every node (a broker control command), is subscribed (the
 * client gets {@code subscribed}) or loses the subscription at once ({@code unsubscribed}
 * PERMISSION_DENIED). The channel must be one the server API may publish to.
 */
public record SubscriptionRoutes(AdminCheck admins, WireCodec codec, Broker broker, Hub hub, ChannelAccess access) {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SubscriptionRoutes.class);

    public void register(HttpApi api) {
        for (boolean subscribe : new boolean[] {true, false}) {
            api.route(
                    "POST",
                    "/api/v1/users/{id}/" + (subscribe ? "subscribe" : "unsubscribe"),
                    (req, path) -> admins.ifAllowed(
                            req, ApiScope.PUBLISH, who -> change(req, who, path.get("id"), subscribe)));
        }
    }

    private CompletionStage<ApiResponse> change(ApiRequest req, Operator who, String userId, boolean subscribe) {
        ObjectNode body = RequestBody.object(req, codec.json());
        String name = RequestBody.optionalText(body, "channel");
        if (name == null) {
            throw RequestBody.bad("channel is required: {\"channel\": \"room:42\"}");
        }
        ChannelName channel = ChannelName.parse(name)
                .orElseThrow(() ->
                        RequestBody.bad("channel: '" + name + "' is not a channel name. " + ChannelName.grammarHint()));
        Refusal denied = access.checkServerPublish(channel);
        if (denied != null) {
            throw denied.asException();
        }
        int here = hub.connectionsOf(userId).size();
        LOG.info(
                "{} user={} channel={} by {}",
                subscribe ? "subscribe" : "unsubscribe",
                PrintableId.escape(userId),
                channel,
                who);
        return broker.publishControl(new ControlCommand.ServerSubscription(userId, channel.value(), subscribe))
                .thenApply(done -> ApiResponse.ok(codec.json()
                        .createObjectNode()
                        .put("user", userId)
                        .put("channel", channel.value())
                        .put(subscribe ? "subscribed_here" : "unsubscribed_here", here)));
    }
}
