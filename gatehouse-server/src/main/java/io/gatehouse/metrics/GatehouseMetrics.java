package io.gatehouse.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The metrics of SPEC §6 in one Micrometer registry, scraped as Prometheus text at
 * {@code GET /metrics}. Meter names here are Micrometer's ({@code gatehouse.connection.attempts});
 * the Prometheus names follow ({@code gatehouse_connection_attempts_total}). Thread-safe.
 */
public final class GatehouseMetrics {
    private static final String ATTEMPTS = "gatehouse.connection.attempts";
    private static final String ATTEMPTS_HELP = "WebSocket upgrade attempts by outcome";
    private static final String RECOVERIES = "gatehouse.recoveries";
    private static final String RECOVERIES_HELP = "Subscribes with since, by whether they recovered";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Counter> attempts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> limited = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> failedOpen = new ConcurrentHashMap<>();
    private final Counter published;
    private final Counter delivered;
    private final Counter messagesIn;
    private final Counter messagesOut;
    private final Counter sessionRefreshes;
    private final Counter accessLogDropped;
    private final Counter slowConsumers;
    private final Counter recovered;
    private final Counter notRecovered;
    private final Timer handshake;
    private final Counter webhookDropped;
    private final Counter webhookDelivered;
    private final Counter webhookFailed;
    private final Counter webhookDead;

    public GatehouseMetrics() {
        published = counter("gatehouse.messages.published", "Publications accepted");
        delivered = counter("gatehouse.messages.delivered", "Messages queued to subscribers");
        messagesIn = counter("gatehouse.messages.in", "Text messages received from clients");
        messagesOut = counter("gatehouse.messages.out", "Text frames queued to clients: replies, messages, pushes");
        sessionRefreshes = counter("gatehouse.session.refresh", "Session refreshes");
        accessLogDropped =
                counter("gatehouse.access.log.dropped", "Access-log records dropped because the buffer was full");
        slowConsumers = counter("gatehouse.slow.consumers", "Connections closed with 4508");
        recovered = counter(RECOVERIES, "outcome", "recovered", RECOVERIES_HELP);
        notRecovered = counter(RECOVERIES, "outcome", "not_recovered", RECOVERIES_HELP);
        attempts.put("ACCEPTED", counter(ATTEMPTS, "outcome", "ACCEPTED", ATTEMPTS_HELP)); // visible from the start
        webhookDropped = counter(
                "gatehouse.webhook.events.dropped",
                "Webhook events (connection.*, presence.*) dropped because hooks.max_queue were pending");
        webhookDelivered = counter("gatehouse.webhook.events.delivered", "Webhook events the endpoint answered 2xx");
        webhookFailed =
                counter("gatehouse.webhook.attempts.failed", "Webhook deliveries that failed (not 2xx, or no answer)");
        webhookDead = counter(
                "gatehouse.webhook.events.dead", "Webhook events kept as dead after hooks.max_attempts failures");
        handshake = Timer.builder("gatehouse.handshake")
                .description("From upgrade request to connection_established or refusal")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** The counter {@code name} with one tag. */
    private Counter counter(String name, String tag, String value, String description) {
        return Counter.builder(name).tag(tag, value).description(description).register(registry);
    }

    /** {@code gatehouse_connections}: live connections, read from {@code count}. */
    public void connections(Supplier<Number> count) {
        Gauge.builder("gatehouse.connections", count)
                .description("Live WebSocket connections")
                .register(registry);
    }

    /** {@code gatehouse_connection_attempts_total{outcome}}: ACCEPTED or the refusal code. */
    public void attempt(String outcome) {
        attempts.computeIfAbsent(outcome, o -> counter(ATTEMPTS, "outcome", o, ATTEMPTS_HELP))
                .increment();
    }

    /**
     * {@code gatehouse_limited_total{limit}}: requests refused by a limit, by which one; the tag is
     * the key without its {@code limits.} prefix ({@code upgrades_per_ip}).
     */
    public void limited(io.gatehouse.config.ConfigKey limit) {
        String tag = limit.key().substring(limit.key().indexOf('.') + 1);
        limited.computeIfAbsent(tag, l -> counter("gatehouse.limited", "limit", l, "Requests refused by a limit"))
                .increment();
    }

    /**
     * {@code gatehouse_limits_failed_open_total{limit}}: decisions of a limit shared across nodes
     * taken without the shared store (Redis unreachable), on this node's count alone; the tag as
     * in {@link #limited} ({@code upgrades_per_ip}, or {@code connections} for the open-connection counts).
     */
    public void failedOpen(String limit) {
        failedOpen
                .computeIfAbsent(
                        limit,
                        l -> counter(
                                "gatehouse.limits.failed.open",
                                "limit",
                                l,
                                "Shared-limit decisions taken on this node's count alone: the shared store did not answer"))
                .increment();
    }

    /** How many decisions of {@code limit} failed open since start (what the metric says). */
    public long failedOpenCount(String limit) {
        Counter c = failedOpen.get(limit);
        return c == null ? 0 : (long) c.count();
    }

    /**
     * How many upgrade attempts had {@code outcome} (ACCEPTED or a refusal code) since start: what
     * {@code gatehouse_connection_attempts_total{outcome}} says.
     */
    public long attempts(String outcome) {
        Counter c = attempts.get(outcome);
        return c == null ? 0 : (long) c.count();
    }

    /** A client sent a text message. */
    public void messageIn() {
        messagesIn.increment();
    }

    /** A text frame was queued to a client. */
    public void messageOut() {
        messagesOut.increment();
    }

    public long messagesIn() {
        return (long) messagesIn.count();
    }

    public long messagesOut() {
        return (long) messagesOut.count();
    }

    /** Connections closed as slow consumers since start. */
    public long slowConsumers() {
        return (long) slowConsumers.count();
    }

    public void published() {
        published.increment();
    }

    public void delivered(long n) {
        delivered.increment(n);
    }

    public void sessionRefreshed() {
        sessionRefreshes.increment();
    }

    public void accessLogDropped() {
        accessLogDropped.increment();
    }

    /** A subscribe with {@code since} was answered {@code recovered: true} or false. */
    public void recovery(boolean wasRecovered) {
        (wasRecovered ? recovered : notRecovered).increment();
    }

    public void slowConsumer() {
        slowConsumers.increment();
    }

    public void handshake(Duration d) {
        handshake.record(d);
    }

    /** {@code gatehouse_webhook_queue_depth}: webhook events waiting for delivery, read from {@code depth}. */
    public void webhookQueueDepth(Supplier<Number> depth) {
        Gauge.builder("gatehouse.webhook.queue.depth", depth)
                .description("Webhook events waiting for delivery")
                .register(registry);
    }

    public void webhookDropped() {
        webhookDropped.increment();
    }

    public void webhookDelivered() {
        webhookDelivered.increment();
    }

    public void webhookFailed() {
        webhookFailed.increment();
    }

    public void webhookDead() {
        webhookDead.increment();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
