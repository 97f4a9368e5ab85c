package io.gatehouse.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.client.internal.Backoff;
import io.gatehouse.client.internal.ClientEngine;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.ClientMessage;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.ServerMessage.ConnectionEstablished;
import io.gatehouse.protocol.ServerMessage.Subscribed;
import io.gatehouse.protocol.StreamPosition;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to a Gatehouse server that keeps itself up (SPEC §11, docs/client-java.md).
 *
 * <pre>{@code
 * GatehouseClient gh = GatehouseClient.connect(ClientOptions.builder()
 *         .url("wss://gatehouse.example.com/ws")
 *         .tokenProvider(reason -> myApp.fetchToken())
 *         .listener(new ClientListener() {
 *             public void onAuthError(Refusal r) { myApp.logIn(); }
 *         })
 *         .build());
 * gh.subscribe("news", p -> System.out.println(p.dataJson()));
 * gh.publish("chat:room1", "{\"text\":\"hi\"}").join();
 * }</pre>
 *
 * <p><b>Connecting.</b> {@link #connect} returns at once; the client asks the {@link TokenProvider}
 * for a token and connects in the background, and after every close decides by the refusal's
 * client action (docs/protocol.md, "Client actions"): retry with full-jitter backoff, never earlier
 * than the server's {@code retry_after_ms}; ask for a fresh token and reconnect once; or stop and
 * tell {@link ClientListener#onAuthError} (log in again) or {@link ClientListener#onStopped}.
 *
 * <p><b>Requests</b> return futures. The server's {@code error} reply fails them with a
 * {@link RefusalException} carrying the code and hint. A request made while disconnected waits for
 * the next connection and is sent then; it fails with {@link ConnectionLostException} if the
 * client stops or is closed first, or if its connection drops before the reply (it is never sent
 * twice). A subscription lasts until {@link #unsubscribe} or {@link #close}: after each reconnect it
 * is resubscribed from the last publication it delivered, and its listener gets what it missed,
 * then live publications, each once and in order.
 *
 * <p><b>Threads.</b> Every method may be called from any thread. The client has one thread of its
 * own, which does all its work and calls every listener, one call at a time, in order; listeners
 * must not block it. Futures complete on that thread too, so chain blocking work with the
 * {@code *Async} methods. The thread is a daemon and ends with {@link #close()}.
 *
 * <p>Tokens never appear in {@code toString()}, log lines or exception messages.
 */
public final class GatehouseClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClientEngine engine;

    private GatehouseClient(ClientEngine engine) {
        this.engine = engine;
    }

    /** A client that starts connecting at once, in the background. */
    public static GatehouseClient connect(ClientOptions options) {
        // The instance id of SPEC §7, once per client object: the server's duplicate policy replaces
        // only an older connection of the same token and instance.
        String instanceId = UUID.randomUUID().toString();
        ClientEngine engine = new ClientEngine(
                options, instanceId, new Backoff(options.backoffBase(), options.backoffCap(), new SecureRandom()));
        engine.start();
        return new GatehouseClient(engine);
    }

    /**
     * Subscribes to {@code channel}; the future completes with the first {@code subscribed} (whose
     * publications have then been delivered to {@code listener}), or fails with the server's
     * refusal ({@code PERMISSION_DENIED}, ...) or when the channel already has a subscription here.
     * Made while disconnected (or stopped), it is sent with the next connection.
     *
     * @throws IllegalArgumentException when {@code channel} is not a channel name
     */
    public CompletableFuture<Subscribed> subscribe(String channel, SubscriptionListener listener) {
        return engine.subscribe(channel(channel), listener);
    }

    /** Ends the subscription; completes when the server confirmed (or at once while disconnected). */
    public CompletableFuture<Void> unsubscribe(String channel) {
        return engine.unsubscribe(channel(channel));
    }

    /** Publishes {@code data} (any JSON value) to {@code channel}; completes with its position. */
    public CompletableFuture<StreamPosition> publish(String channel, JsonNode data) {
        ChannelName name = channel(channel);
        return engine.request(
                id -> new ClientMessage.Publish(id, name, data),
                ServerMessage.Published.class,
                ServerMessage.Published::position);
    }

    /**
     * Publishes {@code json}, a JSON text.
     *
     * @throws IllegalArgumentException when {@code json} is not JSON
     */
    public CompletableFuture<StreamPosition> publish(String channel, String json) {
        try {
            return publish(channel, JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("data is not JSON: " + e.getOriginalMessage(), null);
        }
    }

    /** Who is subscribed to {@code channel} (a namespace with presence), oldest connection first. */
    public CompletableFuture<List<PresenceClient>> presence(String channel) {
        ChannelName name = channel(channel);
        return engine.request(
                id -> new ClientMessage.Presence(id, name),
                ServerMessage.Presence.class,
                ServerMessage.Presence::clients);
    }

    /**
     * The channel's kept publications after {@code since} (null: the newest ones), at most
     * {@code limit} (negative: all that are kept), oldest first, and the channel's position.
     */
    public CompletableFuture<ServerMessage.History> history(String channel, StreamPosition since, int limit) {
        ChannelName name = channel(channel);
        int max = limit < 0 ? ClientMessage.NO_LIMIT : limit;
        return engine.request(
                id -> new ClientMessage.History(id, name, since, max), ServerMessage.History.class, h -> h);
    }

    /** A JSON {@code ping}; completes with the round trip (including any wait for a connection). */
    public CompletableFuture<Duration> ping() {
        long start = System.nanoTime();
        return engine.request(
                ClientMessage.Ping::new, ServerMessage.Pong.class, p -> Duration.ofNanos(System.nanoTime() - start));
    }

    public ConnectionState state() {
        return engine.state();
    }

    /** The current connection's {@code connection_established}, while connected. */
    public Optional<ConnectionEstablished> connection() {
        return Optional.ofNullable(engine.established());
    }

    /** When the current credential expires (from {@code connection_established} or {@code refreshed}); empty if never. */
    public Optional<Instant> credentialExpiresAt() {
        return Optional.ofNullable(engine.expiresAt());
    }

    /**
     * This client's instance id (SPEC §7), sent as {@code instance} with every connect. Under the
     * default {@code limits.duplicate_session_policy: replace} a new connection closes only older
     * ones of the same token and instance, so clients sharing a token do not close each other.
     */
    public String instanceId() {
        return engine.instanceId();
    }

    /**
     * Connects now, with a fresh backoff, if the client stopped (after the user logged in again) or
     * waits to reconnect; otherwise does nothing. The token provider is asked for a token.
     */
    public void reconnect() {
        engine.reconnect();
    }

    /**
     * Closes the connection (1000) and ends the client thread; pending requests fail with
     * {@link ConnectionLostException}. Final. Waits for the thread unless called on it.
     */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "GatehouseClient[instance=" + engine.instanceId() + ", state=" + engine.state() + "]";
    }

    private static ChannelName channel(String channel) {
        return ChannelName.parse(channel).orElseThrow(() -> new IllegalArgumentException(ChannelName.grammarHint()));
    }
}
