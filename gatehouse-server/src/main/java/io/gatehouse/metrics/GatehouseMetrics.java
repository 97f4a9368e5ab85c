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
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Counter> attempts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> limited = new ConcurrentHashMap<>();
    private final Counter published;
    private final Counter delivered;
    private final Counter sessionRefreshes;
    private final Counter accessLogDropped;
    private final Counter slowConsumers;
    private final Counter recovered;
    private final Counter notRecovered;
    private final Timer handshake;

    public GatehouseMetrics() {
        published = Counter.builder("gatehouse.messages.published")
                .description("Publications accepted")
                .register(registry);
        delivered = Counter.builder("gatehouse.messages.delivered")
                .description("Messages queued to subscribers")
                .register(registry);
        sessionRefreshes = Counter.builder("gatehouse.session.refresh")
                .description("Session refreshes")
                .register(registry);
        accessLogDropped = Counter.builder("gatehouse.access.log.dropped")
                .description("Access-log records dropped because the buffer was full")
                .register(registry);
        slowConsumers = Counter.builder("gatehouse.slow.consumers")
                .description("Connections closed with 4508")
                .register(registry);
        recovered = Counter.builder("gatehouse.recoveries")
                .tag("outcome", "recovered")
                .description("Subscribes with since, by whether they recovered")
                .register(registry);
        notRecovered = Counter.builder("gatehouse.recoveries")
                .tag("outcome", "not_recovered")
                .description("Subscribes with since, by whether they recovered")
                .register(registry);
        attempts.put(
                "ACCEPTED",
                Counter.builder("gatehouse.connection.attempts")
                        .tag("outcome", "ACCEPTED")
                        .description("WebSocket upgrade attempts by outcome")
                        .register(registry)); // visible from the start
        handshake = Timer.builder("gatehouse.handshake")
                .description("From upgrade request to connection_established or refusal")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** {@code gatehouse_connections}: live connections, read from {@code count}. */
    public void connections(Supplier<Number> count) {
        Gauge.builder("gatehouse.connections", count)
                .description("Live WebSocket connections")
                .register(registry);
    }

    /** {@code gatehouse_connection_attempts_total{outcome}}: ACCEPTED or the refusal code. */
    public void attempt(String outcome) {
        attempts.computeIfAbsent(
                        outcome,
                        o -> Counter.builder("gatehouse.connection.attempts")
                                .tag("outcome", o)
                                .description("WebSocket upgrade attempts by outcome")
                                .register(registry))
                .increment();
    }

    /**
     * {@code gatehouse_limited_total{limit}}: requests refused by a limit, by which one; the tag is
     * the key without its {@code limits.} prefix ({@code upgrades_per_ip}).
     */
    public void limited(io.gatehouse.config.ConfigKey limit) {
        String tag = limit.key().substring(limit.key().indexOf('.') + 1);
        limited.computeIfAbsent(
                        tag,
                        l -> Counter.builder("gatehouse.limited")
                                .tag("limit", l)
                                .description("Requests refused by a limit")
                                .register(registry))
                .increment();
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

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
