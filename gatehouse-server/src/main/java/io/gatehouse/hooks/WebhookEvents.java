package io.gatehouse.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.broker.PresenceEvent;
import io.gatehouse.concurrent.Threads;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.store.Database;
import io.gatehouse.store.WebhookEvent;
import io.gatehouse.store.WebhookStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks to the application (SPEC §9, docs/webhooks.md): the one way code anywhere in the server
 * raises an event. Each event becomes a row of the outbox ({@link WebhookStore}) with body
 * {@code {"id","type","created_at","data":{...}}}, which the delivery worker sends, signed, until the
 * endpoint answers 2xx. With {@code hooks.url} empty, or a type left out of {@code hooks.events},
 * every call here does nothing.
 *
 * <p>For other code (the tasks of issue #13 among it):
 *
 * <ul>
 *   <li>{@link #enqueue}{@code (type, data)}: a {@code task.*} or {@code token.revoked} event is
 *       written to the database before it returns (so the caller must be allowed to block, never an
 *       event loop; it throws a StoreException when the database refuses); a {@code connection.*}
 *       or {@code presence.*} event is only buffered, never blocks, and is dropped (and counted in
 *       {@code gatehouse_webhook_events_dropped_total}) when more than {@code hooks.max_queue} wait.
 *   <li>{@link #prepare}{@code (type, data)} and then {@code WebhookStore.insert(connection, events)}
 *       in the caller's own transaction, for an event that must commit with the change that makes
 *       it true; {@link #written} afterwards lets the worker send it at once.
 * </ul>
 *
 * Thread-safe.
 */
public final class WebhookEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String CONNECTION_OPENED = "connection.opened";
    public static final String CONNECTION_CLOSED = "connection.closed";
    public static final String PRESENCE_JOINED = "presence.joined";
    public static final String PRESENCE_LEFT = "presence.left";
    public static final String TOKEN_REVOKED = "token.revoked";
    public static final String TASK_CANCEL_REQUESTED = "task.cancel_requested";

    /** Events buffered on their way to the outbox at most (fewer when hooks.max_queue is lower). */
    static final int BUFFER = 10_000;

    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final GatehouseConfig.Hooks config;
    private final GatehouseMetrics metrics;
    private final Clock clock;
    /** Null when off. */
    private final WebhookStore store;
    /** Null when off. */
    private final WebhookBuffer buffer;
    /** Null when off. */
    private final WebhookDelivery delivery;
    /** Pending events in the database as this node knows them: refreshed by the worker, raised by writes. */
    private final AtomicLong pending = new AtomicLong();
    /** System.nanoTime() of the last drop logged, for one line a minute. */
    private final AtomicLong lastDropLogged = new AtomicLong(System.nanoTime() - DROP_LOG_INTERVAL_NANOS);

    private final AtomicLong droppedSinceLog = new AtomicLong();

    private WebhookEvents(GatehouseConfig.Hooks config, GatehouseMetrics metrics, Clock clock, WebhookStore store) {
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.store = store;
        if (store == null) {
            this.buffer = null;
            this.delivery = null;
        } else {
            this.delivery = new WebhookDelivery(store, config, metrics, clock, pending);
            this.buffer = new WebhookBuffer(store, Math.min(BUFFER, config.maxQueue()), pending, delivery::wake);
        }
        if (metrics != null) {
            metrics.webhookQueueDepth(this::depth);
        }
    }

    /**
     * Events prepared here for another process to send (the CLI writes them, a running server that
     * shares the database delivers them): {@link #prepare} and {@link #tokenRevoked} only.
     */
    public static WebhookEvents preparing(GatehouseConfig.Hooks config, Clock clock) {
        return new WebhookEvents(config, null, clock, null);
    }

    /** Starts the writer and the delivery worker when {@code hooks.url} is set; otherwise events are ignored. */
    public static WebhookEvents start(
            Database database, GatehouseConfig.Hooks config, GatehouseMetrics metrics, Clock clock) {
        if (!config.enabled()) {
            return new WebhookEvents(config, metrics, clock, null);
        }
        WebhookEvents events = new WebhookEvents(config, metrics, clock, new WebhookStore(database));
        events.buffer.start();
        events.delivery.start();
        return events;
    }

    /** Whether events of {@code type} are sent: hooks.url is set and hooks.events names it (or is empty). */
    public boolean sends(String type) {
        return config.enabled() && (config.events().isEmpty() || config.events().contains(type));
    }

    /** Whether {@code type} may be dropped when hooks.max_queue events wait: connection.* and presence.*. */
    public static boolean droppable(String type) {
        return type.startsWith("connection.") || type.startsWith("presence.");
    }

    /** Raises an event of {@code type} with {@code data}; see the class comment for what blocks. */
    public void enqueue(String type, ObjectNode data) {
        Optional<WebhookEvent> event = prepare(type, data);
        if (event.isEmpty() || store == null) {
            return;
        }
        if (droppable(type)) {
            if (depth() >= config.maxQueue() || !buffer.offer(event.get())) {
                dropped(type);
            }
            return;
        }
        Threads.assertMayBlock();
        store.insert(List.of(event.get()));
        pending.incrementAndGet();
        delivery.wake();
    }

    /** The outbox row for an event of {@code type}, for the caller's own transaction; empty when it is not sent. */
    public Optional<WebhookEvent> prepare(String type, ObjectNode data) {
        if (!sends(type)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String id = newId();
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("type", type);
        body.put("created_at", WireCodec.timestamp(now));
        body.set("data", data);
        try {
            return Optional.of(WebhookEvent.pending(id, type, now, JSON.writeValueAsString(body)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** Events from {@link #prepare} were committed by their caller: send them now rather than at the next poll. */
    public void written(int count) {
        if (delivery != null) {
            pending.addAndGet(count);
            delivery.wake();
        }
    }

    // --- The events the server raises

    /** {@code connection.opened}. Never blocks. */
    public void connectionOpened(String connectionId, String userId, String method, String clientIp) {
        if (!sends(CONNECTION_OPENED)) {
            return;
        }
        enqueue(
                CONNECTION_OPENED,
                JSON.createObjectNode()
                        .put("connection_id", connectionId)
                        .put("user_id", userId)
                        .put("method", method)
                        .put("client_ip", clientIp)
                        .put("at", WireCodec.timestamp(clock.instant())));
    }

    /** {@code connection.closed}; {@code reason} is the refusal code the server closed with, or null. Never blocks. */
    public void connectionClosed(String connectionId, String userId, int code, String reason, long durationMillis) {
        if (!sends(CONNECTION_CLOSED)) {
            return;
        }
        enqueue(
                CONNECTION_CLOSED,
                JSON.createObjectNode()
                        .put("connection_id", connectionId)
                        .put("user_id", userId)
                        .put("code", code)
                        .put("reason", reason)
                        .put("duration_ms", durationMillis)
                        .put("at", WireCodec.timestamp(clock.instant())));
    }

    /** {@code presence.joined} or {@code presence.left}, for a channel whose namespace has presence. Never blocks. */
    public void presence(PresenceEvent event) {
        String type = event.kind() == PresenceEvent.Kind.JOIN ? PRESENCE_JOINED : PRESENCE_LEFT;
        if (!sends(type)) {
            return;
        }
        ObjectNode data = JSON.createObjectNode().put("channel", event.channel().toString());
        data.putObject("client")
                .put("connection_id", event.client().connectionId())
                .put("user_id", event.client().userId())
                .put("name", event.client().name());
        data.put("at", WireCodec.timestamp(clock.instant()));
        enqueue(type, data);
    }

    /**
     * The {@code token.revoked} event, prepared (empty when not sent), for the revocation journal to
     * write in its own transaction; {@link #written} follows. {@code credentialId} is the token's prefix
     * (ght_...) or, for a JWT or an introspected token, its fingerprint; {@code userId} null when unknown.
     */
    public List<WebhookEvent> tokenRevoked(String credentialId, String userId) {
        return prepare(
                        TOKEN_REVOKED,
                        JSON.createObjectNode()
                                .put("credential_id", credentialId)
                                .put("user_id", userId)
                                .put("at", WireCodec.timestamp(clock.instant())))
                .stream()
                .toList();
    }

    /** Events waiting: pending in the database (as last counted, plus this node's writes) and buffered. */
    public long depth() {
        return buffer == null ? 0 : Math.max(0, pending.get()) + buffer.held();
    }

    private void dropped(String type) {
        metrics.webhookDropped();
        long count = droppedSinceLog.incrementAndGet();
        long last = lastDropLogged.get();
        long now = System.nanoTime();
        if (now - last >= DROP_LOG_INTERVAL_NANOS && lastDropLogged.compareAndSet(last, now)) {
            droppedSinceLog.addAndGet(-count);
            LOG.warn(
                    "Dropped a {} webhook event ({} this minute or since the last such line): {} events wait, more"
                            + " than hooks.max_queue ({}), or the buffer to the database is full; drops are counted in"
                            + " gatehouse_webhook_events_dropped_total",
                    type,
                    count,
                    depth(),
                    config.maxQueue());
        }
    }

    private static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "evt_" + HexFormat.of().toHexDigits(r.nextLong())
                + HexFormat.of().toHexDigits(r.nextLong());
    }

    /** Writes what is buffered (waiting at most a few seconds for the database), then stops the worker. */
    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            delivery.close();
        }
    }
}
