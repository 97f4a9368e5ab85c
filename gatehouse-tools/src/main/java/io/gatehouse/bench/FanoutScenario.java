package io.gatehouse.bench;

import io.gatehouse.protocol.ChannelName;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code fanout}: {@code subscribers} connections subscribe to one channel; then the bench
 * publishes {@code publicationsPerSecond} publications of {@code payloadBytes} through the HTTP
 * API, first for {@code warmup} (checked, not timed), then for {@code duration} (timed), and
 * waits up to {@link #DRAIN_TIMEOUT} for the last deliveries. Reports deliveries per second and
 * publish → deliver latency. Fails unless every subscriber got every publication exactly once,
 * every publication was answered 200 and every subscriber stayed connected.
 */
public final class FanoutScenario {
    /** How long deliveries may trail the last publication's answer. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private static final long POLL_MILLIS = 20;
    /** Below this share of the asked publication rate, the publisher, not the server, set the pace. */
    private static final double SLOW_PUBLISHER_SHARE = 0.95;

    public record Settings(
            int subscribers,
            ChannelName channel,
            double publicationsPerSecond,
            int payloadBytes,
            Duration warmup,
            Duration duration,
            double connectRate,
            int maxInFlight,
            int publishConnections) {

        int warmupPublications() {
            return (int) Math.round(publicationsPerSecond * warmup.toNanos() / Rate.NANOS_PER_SECOND);
        }

        int measuredPublications() {
            return (int) Math.max(1, Math.round(publicationsPerSecond * duration.toNanos() / Rate.NANOS_PER_SECOND));
        }

        Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("subscribers", subscribers);
            out.put("channel", channel.value());
            out.put("publications_per_second", publicationsPerSecond);
            out.put("payload_bytes", payloadBytes);
            out.put("warmup_seconds", warmup.toMillis() / 1000.0);
            out.put("duration_seconds", duration.toMillis() / 1000.0);
            out.put("connect_rate", connectRate);
            out.put("max_in_flight", maxInFlight);
            out.put("publish_connections", publishConnections);
            return out;
        }
    }

    private final Settings settings;
    private final String apiKey;
    /** Where to publish; null: the subscribers' server. */
    private final BenchTarget publishTarget;

    public FanoutScenario(Settings settings, String apiKey) {
        this(settings, apiKey, null);
    }

    /** Publishes through {@code publishTarget} (another node of the deployment), or the subscribers' server when null. */
    public FanoutScenario(Settings settings, String apiKey, BenchTarget publishTarget) {
        this.settings = settings;
        this.apiKey = apiKey;
        this.publishTarget = publishTarget;
    }

    public BenchResult run(BenchSetup setup) throws IOException, InterruptedException {
        BenchResult.Builder result = setup.begin("fanout", settings.describe());
        int warmup = settings.warmupPublications();
        int total = warmup + settings.measuredPublications();
        List<String> tokens = setup.tokens().tokens(settings.subscribers());
        Long rssBefore = setup.residentBytes();
        LatencyRecorder latency = new LatencyRecorder();
        LongAdder deliveries = new LongAdder();
        Ramp ramp =
                new Ramp(setup.client(), settings.connectRate(), settings.maxInFlight(), setup.progress(), "fanout");
        try {
            ramp.run(
                    tokens,
                    i -> BenchConnection.subscriber(
                            settings.channel(), new SubscriberLog(total, warmup, latency, deliveries)));
            Handshakes handshakes = Handshakes.of(ramp);
            if (handshakes.failed() > 0) {
                return result.problem(String.format(
                                "%,d of %,d subscribers did not subscribe; nothing was published",
                                handshakes.failed(), handshakes.attempted()))
                        .notes(setup.notes(null))
                        .build(handshakes, null, null, null);
            }
            List<SubscriberLog> logs =
                    ramp.connections().stream().map(BenchConnection::log).toList();
            long expected = (long) total * logs.size();

            Publisher publisher = new Publisher(
                    setup.client(),
                    publishTarget == null ? setup.target() : publishTarget,
                    apiKey,
                    settings.channel(),
                    settings.payloadBytes(),
                    settings.publishConnections());
            CpuSample cpuStart = CpuSample.take(setup.serverPid());
            Publisher.Outcome published = publisher.publish(
                    total,
                    settings.publicationsPerSecond(),
                    warmup,
                    () -> setup.progress()
                            .update(() -> String.format("fanout: %,d deliveries of %,d", deliveries.sum(), expected)));
            long drainEnd = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (System.nanoTime() < drainEnd && !logs.stream().allMatch(SubscriberLog::complete)) {
                setup.progress()
                        .update(() ->
                                String.format("fanout: %,d deliveries of %,d, draining", deliveries.sum(), expected));
                Thread.sleep(POLL_MILLIS);
            }
            CpuUse cpu = CpuSample.take(setup.serverPid()).since(cpuStart);
            MemoryUse memory = setup.residentGrowth(rssBefore, ramp.healthy().size());

            Deliveries received = deliveries(published, logs, latency, warmup, total);
            if (received.lost() > 0) {
                result.problem(String.format("%,d of %,d deliveries were lost", received.lost(), received.expected()));
            }
            if (received.duplicates() > 0) {
                result.problem(String.format("%,d deliveries were duplicates", received.duplicates()));
            }
            if (received.publicationsFailed() > 0) {
                result.problem(String.format(
                        "%,d of %,d publications were not answered 200: %s",
                        received.publicationsFailed(), total, received.publishFailures()));
            }
            List<BenchConnection> dropped = ramp.dropped();
            if (!dropped.isEmpty()) {
                result.problem(
                        String.format("%,d subscribers were disconnected: %s", dropped.size(), Ramp.failures(dropped)));
            }
            result.notes(setup.notes(cpu));
            if (received.publicationsPerSecond() < SLOW_PUBLISHER_SHARE * settings.publicationsPerSecond()) {
                result.note(String.format(
                        "publications went out at %,.1f/s of the %,.1f/s asked: the publish answers were"
                                + " slower than the schedule (one request in flight on each of %d connections)",
                        received.publicationsPerSecond(),
                        settings.publicationsPerSecond(),
                        settings.publishConnections()));
            }
            return result.build(handshakes, received, memory, cpu);
        } finally {
            ramp.close();
        }
    }

    private Deliveries deliveries(
            Publisher.Outcome published, List<SubscriberLog> logs, LatencyRecorder latency, int warmup, int total) {
        long received = 0;
        long lost = 0;
        long duplicates = 0;
        long lastDelivery = 0;
        for (SubscriberLog log : logs) {
            received += log.distinct();
            lost += log.lost();
            duplicates += log.duplicates();
            lastDelivery = Math.max(lastDelivery, log.lastMeasuredNanos());
        }
        long firstMeasuredSent = published.sentNanos(warmup);
        long lastMeasuredSent = published.sentNanos(total - 1);
        int measured = total - warmup;
        double publicationRate = measured > 1 && firstMeasuredSent != 0 && lastMeasuredSent != 0
                ? Rate.perSecond(measured - 1, lastMeasuredSent - firstMeasuredSent)
                : settings.publicationsPerSecond();
        long deliveryNanos = firstMeasuredSent == 0 || lastDelivery == 0 ? 0 : lastDelivery - firstMeasuredSent;
        Percentiles deliveryLatency = latency.percentiles();
        return new Deliveries(
                logs.size(),
                total,
                measured,
                settings.publicationsPerSecond(),
                publicationRate,
                published.failed(),
                published.failureReasons(),
                published.answerLatency.percentiles(),
                (long) total * logs.size(),
                received,
                lost,
                duplicates,
                deliveryNanos / Rate.NANOS_PER_SECOND,
                Rate.perSecond(deliveryLatency.count(), deliveryNanos),
                deliveryLatency);
    }
}
