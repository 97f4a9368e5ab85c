package io.gatehouse.bench;

import io.gatehouse.protocol.ChannelName;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code churn}: {@code connections} held connections subscribe to one channel; then the bench
 * publishes {@code publicationsPerSecond} publications through the HTTP API, as {@code fanout}
 * does, without a break: a warm-up (checked, not timed), the quiet phase, and the churn phase,
 * during which a {@link Churner} connects {@code churnRate} new connections a second, each closed
 * (1000) as soon as it is established. Then up to {@link FanoutScenario#DRAIN_TIMEOUT} for the last
 * deliveries, the churn still running. Reports publish → deliver latency to the held connections
 * in each phase and their p99 ratio, and the churn's handshakes. Fails on any failed churn
 * handshake, lost or duplicated delivery, failed publication or dropped held connection.
 *
 * <p>The phases are split between two publications: half a publication interval before the first
 * publication of the churn phase is due, the publisher's thread waits (at most
 * {@link #QUIET_DRAIN}) until every held connection has every publication so far, takes the quiet
 * figures and starts the churn. A quiet phase slower than that shows as a publication rate below
 * the one asked.
 */
public final class ChurnScenario {
    /** How long the last quiet publication's deliveries may take before the churn starts anyway. */
    static final Duration QUIET_DRAIN = Duration.ofSeconds(5);
    /** Distinct churn users at most ({@code bench-churn-N}); past it their tokens are used again. */
    static final int MAX_CHURN_TOKENS = 10_000;

    private static final long POLL_MILLIS = 20;
    private static final long POLL_NANOS = 1_000_000;
    private static final double SLOW_SHARE = 0.95;

    public record Settings(
            int connections,
            ChannelName channel,
            double publicationsPerSecond,
            int payloadBytes,
            Duration warmup,
            Duration quiet,
            Duration duration,
            double churnRate,
            double connectRate,
            int maxInFlight,
            int publishConnections) {

        int warmupPublications() {
            return publications(warmup);
        }

        int quietPublications() {
            return Math.max(1, publications(quiet));
        }

        int churnPublications() {
            return Math.max(1, publications(duration));
        }

        private int publications(Duration d) {
            return (int) Math.round(publicationsPerSecond * d.toNanos() / Rate.NANOS_PER_SECOND);
        }

        Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("connections", connections);
            out.put("channel", channel.value());
            out.put("publications_per_second", publicationsPerSecond);
            out.put("payload_bytes", payloadBytes);
            out.put("warmup_seconds", warmup.toMillis() / 1000.0);
            out.put("quiet_seconds", quiet.toMillis() / 1000.0);
            out.put("duration_seconds", duration.toMillis() / 1000.0);
            out.put("churn_rate", churnRate);
            out.put("connect_rate", connectRate);
            out.put("max_in_flight", maxInFlight);
            out.put("publish_connections", publishConnections);
            return out;
        }
    }

    private final Settings settings;
    private final String apiKey;

    public ChurnScenario(Settings settings, String apiKey) {
        this.settings = settings;
        this.apiKey = apiKey;
    }

    /** What the publisher's thread saw at the switch from the quiet phase to the churn. */
    private static final class Switch {
        long firstTickNanos;
        CpuSample quietCpuStart;
        long atNanos;
        Histogram quiet;
        CpuUse quietCpu;
        CpuSample churnCpuStart;
        Long rssQuiet;
        IOException failure;
    }

    public BenchResult run(BenchSetup setup) throws IOException, InterruptedException {
        BenchResult.Builder result = setup.begin("churn", settings.describe());
        int warmup = settings.warmupPublications();
        int quiet = settings.quietPublications();
        int total = warmup + quiet + settings.churnPublications();
        List<String> tokens = setup.tokens().tokens(settings.connections());
        long churnConnections =
                (long) Math.ceil(settings.churnRate() * settings.duration().toNanos() / 1e9);
        List<String> churnTokens =
                setup.tokens().tokens((int) Math.max(1, Math.min(MAX_CHURN_TOKENS, churnConnections)), "bench-churn-");
        Long rssBefore = setup.residentBytes();
        LatencyRecorder latency = new LatencyRecorder();
        LongAdder deliveries = new LongAdder();
        Ramp ramp = new Ramp(setup.client(), settings.connectRate(), settings.maxInFlight(), setup.progress(), "churn");
        Churner churner = new Churner(
                setup.client(), churnTokens, settings.churnRate(), settings.maxInFlight(), settings.connections());
        try {
            ramp.run(
                    tokens,
                    i -> BenchConnection.subscriber(
                            settings.channel(), new SubscriberLog(total, warmup, latency, deliveries)));
            Handshakes held = Handshakes.of(ramp);
            if (held.failed() > 0) {
                return result.problem(String.format(
                                "%,d of %,d held connections did not subscribe; nothing was published",
                                held.failed(), held.attempted()))
                        .notes(setup.notes(null))
                        .build(held, null, null, null);
            }
            List<SubscriberLog> logs =
                    ramp.connections().stream().map(BenchConnection::log).toList();
            long expected = (long) total * logs.size();
            MemoryUse memory = setup.residentGrowth(rssBefore, ramp.healthy().size());

            Publisher publisher = new Publisher(
                    setup.client(),
                    setup.target(),
                    apiKey,
                    settings.channel(),
                    settings.payloadBytes(),
                    settings.publishConnections());
            Pacer schedule = new Pacer(settings.publicationsPerSecond(), total);
            long halfInterval = schedule.startOf(1) / 2;
            long quietFrom = schedule.startOf(warmup) - halfInterval;
            long switchAfter = schedule.startOf(warmup + quiet) - halfInterval;
            long quietDone = (long) (warmup + quiet) * logs.size();
            Switch at = new Switch();
            Publisher.Outcome published = publisher.publish(total, settings.publicationsPerSecond(), warmup, () -> {
                long now = System.nanoTime();
                if (at.firstTickNanos == 0) {
                    at.firstTickNanos = now;
                }
                if (at.quietCpuStart == null && now - at.firstTickNanos >= quietFrom) {
                    at.quietCpuStart = CpuSample.take(setup.serverPid());
                }
                if (at.atNanos == 0 && now - at.firstTickNanos >= switchAfter) {
                    long drainEnd = now + QUIET_DRAIN.toNanos();
                    while (deliveries.sum() < quietDone && System.nanoTime() < drainEnd) {
                        LockSupport.parkNanos(POLL_NANOS);
                    }
                    at.quiet = latency.histogram();
                    at.quietCpu = CpuSample.take(setup.serverPid()).since(at.quietCpuStart);
                    try {
                        at.rssQuiet = setup.residentBytes();
                    } catch (IOException e) {
                        at.failure = e;
                    }
                    at.churnCpuStart = CpuSample.take(setup.serverPid());
                    at.atNanos = System.nanoTime();
                    churner.start();
                }
                setup.progress()
                        .update(() -> String.format(
                                "churn: %s, %,d deliveries of %,d, %,d churn connections, %,d failed",
                                at.atNanos == 0 ? "quiet" : "churning",
                                deliveries.sum(),
                                expected,
                                churner.established(),
                                churner.failed()));
            });
            long drainEnd = System.nanoTime() + FanoutScenario.DRAIN_TIMEOUT.toNanos();
            while (System.nanoTime() < drainEnd && !logs.stream().allMatch(SubscriberLog::complete)) {
                setup.progress()
                        .update(() -> String.format(
                                "churn: %,d deliveries of %,d, draining; %,d churn connections",
                                deliveries.sum(), expected, churner.established()));
                Thread.sleep(POLL_MILLIS);
            }
            churner.stop(Ramp.READY_TIMEOUT.toNanos());
            long churnEnd = System.nanoTime();
            if (at.failure != null) {
                throw at.failure;
            }
            if (at.atNanos == 0) {
                result.problem("the churn never started: the publisher stopped before the quiet phase ended");
                at.quiet = latency.histogram();
                at.atNanos = churnEnd;
            }
            CpuUse churnCpu = at.churnCpuStart == null
                    ? null
                    : CpuSample.take(setup.serverPid()).since(at.churnCpuStart);
            Long rssChurn = setup.residentBytes();
            Histogram churnHistogram = latency.histogram();
            churnHistogram.subtract(at.quiet);

            Deliveries received = deliveries(published, logs, latency, warmup, total);
            Handshakes churn = churner.handshakes();
            List<BenchConnection> dropped = ramp.dropped();
            ChurnPhases phases = new ChurnPhases(
                    logs.size(),
                    dropped.size(),
                    quiet,
                    total - warmup - quiet,
                    at.quietCpu == null ? 0 : at.quietCpu.seconds(),
                    (churnEnd - at.atNanos) / Rate.NANOS_PER_SECOND,
                    Percentiles.ofNanos(at.quiet),
                    Percentiles.ofNanos(churnHistogram),
                    settings.churnRate(),
                    churn,
                    at.quietCpu == null ? null : at.quietCpu.serverCores(),
                    churnCpu == null ? null : churnCpu.serverCores(),
                    at.rssQuiet,
                    rssChurn);
            problems(result, received, churn, dropped, total);
            result.notes(setup.notes(churnCpu));
            notes(result, received, churn, phases);
            return result.churn(phases).build(held, received, memory, churnCpu);
        } finally {
            churner.stop(Ramp.CLOSE_TIMEOUT.toNanos());
            ramp.close();
        }
    }

    private static void problems(
            BenchResult.Builder result,
            Deliveries received,
            Handshakes churn,
            List<BenchConnection> dropped,
            int total) {
        if (churn.failed() > 0) {
            result.problem(String.format("%,d of %,d churn handshakes failed", churn.failed(), churn.attempted()));
        }
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
        if (!dropped.isEmpty()) {
            result.problem(String.format(
                    "%,d held connections were disconnected: %s", dropped.size(), Ramp.failures(dropped)));
        }
    }

    private void notes(BenchResult.Builder result, Deliveries received, Handshakes churn, ChurnPhases phases) {
        if (churn.perSecond() < SLOW_SHARE * settings.churnRate()) {
            result.note(String.format(
                    "the churn reached %,.0f handshakes/s of the %,.0f/s asked (at most %d outstanding)",
                    churn.perSecond(), settings.churnRate(), settings.maxInFlight()));
        }
        if (received.publicationsPerSecond() < SLOW_SHARE * settings.publicationsPerSecond()) {
            result.note(String.format(
                    "publications went out at %,.1f/s of the %,.1f/s asked",
                    received.publicationsPerSecond(), settings.publicationsPerSecond()));
        }
        Double ratio = phases.p99Ratio();
        if (ratio != null && ratio > 2) {
            result.note(String.format(
                    "delivery p99 under churn is %.2f× the quiet figure (the target is at most 2×)", ratio));
        }
    }

    /** As fanout counts them; the latency is both phases together (measured publications only). */
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
