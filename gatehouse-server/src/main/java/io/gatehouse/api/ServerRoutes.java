package io.gatehouse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.accesslog.AdminAction;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.broker.Broker;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.hub.Hub;
import io.gatehouse.permissions.ChannelAccess;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.protocol.WireCodec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * The server API for application backends, authenticated by {@code Authorization: apikey <key>} (SPEC §6),
 * and for admins by their cookie session ({@link AdminCheck}): publish, broadcast, channels, presence,
 * history and stats. The connections are {@link ConnectionRoutes}'.
 *
 * @param namespaces the channel namespaces: which keep history, for {@code GET /api/v1/channels}
 * @param startedAt when the node started, for {@code GET /api/v1/stats}
 * @param publishes publish and broadcast, once per idempotency_key when they have one
 */
public record ServerRoutes(
        AdminCheck admins,
        WireCodec codec,
        Broker broker,
        Hub hub,
        ChannelAccess access,
        GatehouseConfig.Channels namespaces,
        Clock clock,
        Instant startedAt,
        IdempotentPublishes publishes) {

    /** The body field that makes a publish or broadcast idempotent. */
    static final String IDEMPOTENCY_KEY = "idempotency_key";

    public void register(HttpApi api) {
        api.route("POST", "/api/v1/publish", (req, path) -> allowed(req, ApiScope.PUBLISH, this::publish));
        api.route("POST", "/api/v1/broadcast", (req, path) -> allowed(req, ApiScope.PUBLISH, this::broadcast));
        api.route("GET", "/api/v1/channels", (req, path) -> allowed(req, ApiScope.ADMIN, (r, who) -> channels()));
        api.route(
                "GET",
                "/api/v1/channels/{channel}/presence",
                (req, path) -> allowed(req, ApiScope.PUBLISH, (r, who) -> presence(path.get("channel"))));
        api.route(
                "GET",
                "/api/v1/channels/{channel}/history",
                (req, path) -> allowed(req, ApiScope.PUBLISH, (r, who) -> history(r, path.get("channel"))));
        api.route("GET", "/api/v1/stats", (req, path) -> allowed(req, ApiScope.ADMIN, (r, who) -> stats()));
    }

    private CompletionStage<ApiResponse> allowed(
            ApiRequest req, ApiScope scope, BiFunction<ApiRequest, Operator, CompletionStage<ApiResponse>> action) {
        return admins.ifAllowed(req, scope, who -> action.apply(req, who));
    }

    private CompletionStage<ApiResponse> publish(ApiRequest req, Operator who) {
        ObjectNode body = RequestBody.object(req, codec.json());
        JsonNode data = requireData(body);
        String channelText = RequestBody.optionalText(body, "channel");
        String user = RequestBody.optionalText(body, "user");
        if ((channelText == null) == (user == null)) {
            throw RequestBody.bad("Give exactly one of channel and user");
        }
        ChannelName channel = channelText != null
                ? channel(channelText)
                : ChannelName.personal(user)
                        .orElseThrow(
                                () -> RequestBody.bad(
                                        "Publishing to this user is not possible: user ids with a comma or a control character, or longer than 254, have no personal channel"));
        String idempotencyKey = RequestBody.optionalText(body, IDEMPOTENCY_KEY);
        IdempotentPublishes.check(idempotencyKey);
        return publishes.publish(channel, data.toString(), idempotencyKey).thenApply(p -> {
            who.performed(AdminAction.PUBLISH, channel.value());
            return ApiResponse.ok(position(p));
        });
    }

    private CompletionStage<ApiResponse> broadcast(ApiRequest req, Operator who) {
        ObjectNode body = RequestBody.object(req, codec.json());
        JsonNode data = requireData(body);
        List<String> names = RequestBody.stringList(body, "channels");
        if (names.isEmpty()) {
            throw RequestBody.bad("channels must name at least one channel");
        }
        List<ChannelName> channels = names.stream().map(this::channel).toList();
        String idempotencyKey = RequestBody.optionalText(body, IDEMPOTENCY_KEY);
        IdempotentPublishes.check(idempotencyKey);
        String json = data.toString();
        List<CompletableFuture<Publication>> all = new ArrayList<>();
        for (ChannelName c : channels) {
            // Per channel: a retried broadcast publishes only to the channels that refused it before.
            all.add(publishes.publish(c, json, idempotencyKey).toCompletableFuture());
        }
        who.performed(AdminAction.BROADCAST, String.join(",", names));
        return BroadcastAnswer.of(channels, all, codec);
    }

    /**
     * Each channel with local subscribers: {@code subscribers} (this node's), {@code presence} (the
     * count, or null where the namespace keeps none), {@code offset} and {@code epoch} (the last,
     * or null where the namespace keeps no history), in name order.
     */
    private CompletionStage<ApiResponse> channels() {
        List<CompletableFuture<ObjectNode>> rows = new ArrayList<>();
        for (Map.Entry<String, Integer> e : hub.channels().entrySet()) {
            ChannelName c = hub.channel(e.getKey()); // null if it just lost its last subscriber
            CompletableFuture<Integer> present = c != null && access.checkPresence(c) == null
                    ? broker.presence(c).thenApply(List::size).toCompletableFuture()
                    : CompletableFuture.completedFuture(null);
            CompletableFuture<StreamPosition> position =
                    c != null && namespaces.retention(c).keepsAny()
                            ? broker.position(c).toCompletableFuture()
                            : CompletableFuture.completedFuture(null);
            rows.add(present.thenCombine(position, (count, at) -> {
                ObjectNode n = codec.json().createObjectNode();
                n.put("channel", e.getKey()).put("subscribers", e.getValue());
                n.put("presence", count);
                n.put("offset", at == null ? null : at.offset());
                n.put("epoch", at == null ? null : at.epoch());
                return n;
            }));
        }
        return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ObjectNode out = codec.json().createObjectNode();
            ArrayNode list = out.putArray("channels");
            rows.forEach(r -> list.add(r.join()));
            return ApiResponse.ok(out);
        });
    }

    private CompletionStage<ApiResponse> presence(String channelText) {
        ChannelName channel = channel(channelText);
        Refusal off = access.checkPresence(channel);
        if (off != null) {
            throw off.asException();
        }
        return broker.presence(channel)
                .thenApply(clients ->
                        ApiResponse.ok(codec.fields(new ServerMessage.Presence(null, channel.value(), clients))));
    }

    /** {@code ?since=OFFSET&limit=N}: kept publications after since (else the newest), oldest first. */
    private CompletionStage<ApiResponse> history(ApiRequest req, String channelText) {
        ChannelName channel = channel(channelText);
        long since = RequestBody.wholeNumber(req.queryParameter("since"), "since", -1);
        int limit = (int) Math.min(
                Integer.MAX_VALUE, RequestBody.wholeNumber(req.queryParameter("limit"), "limit", Integer.MAX_VALUE));
        HistoryQuery query = since < 0 ? HistoryQuery.newest(limit) : HistoryQuery.after(since, limit);
        return broker.history(channel, query)
                .thenApply(page -> ApiResponse.ok(codec.fields(
                        new ServerMessage.History(null, channel.value(), page.publications(), page.position()))));
    }

    private CompletionStage<ApiResponse> stats() {
        ObjectNode out = codec.json().createObjectNode();
        out.put("connections", hub.connectionCount());
        out.put("users", hub.userCount());
        out.put("channels", hub.channels().size());
        out.put("messages_published", hub.publishedCount());
        out.put("messages_delivered", hub.deliveredCount());
        out.put("started_at", WireCodec.timestamp(startedAt));
        out.put("uptime_ms", clock.millis() - startedAt.toEpochMilli());
        return CompletableFuture.completedFuture(ApiResponse.ok(out));
    }

    private ChannelName channel(String raw) {
        ChannelName c = ChannelName.parse(raw).orElseThrow(() -> RequestBody.bad(ChannelName.grammarHint()));
        Refusal refused = access.checkServerPublish(c);
        if (refused != null) {
            throw RefusalCode.BAD_REQUEST.refusal(refused.hint()).asException();
        }
        return c;
    }

    private static JsonNode requireData(ObjectNode body) {
        JsonNode data = body.get("data");
        if (data == null) {
            throw RequestBody.bad("The body needs a data field (any JSON value)");
        }
        return data;
    }

    /** {channel, offset, epoch}: the fields of the {@code published} reply. */
    private ObjectNode position(Publication p) {
        return codec.fields(new ServerMessage.Published(null, p.channel(), p.position()));
    }
}
