package io.gatehouse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code hooks}: webhook events delivered per second to a receiver of the bench's own
 * ({@link HookReceiver} on 127.0.0.1:{@code hookPort}{@value HookReceiver#PATH}, which the server's
 * {@code hooks.url} must name, with the same {@code hooks.secret}). {@code connections} slots open
 * and close connections as fast as the server lets them for {@code duration} ({@link Cycler}),
 * each connection raising {@code connection.opened} and {@code connection.closed}; the connections
 * are users of this run only ({@code bench-hooks-RUN-N}), so that events of earlier runs are told
 * apart. Then the bench waits, at most {@code drainTimeout} and while events keep coming, for all
 * of them. Reports events received per second (first to last), duplicates, refused signatures and
 * the lag from each event's {@code created_at} to its arrival. Fails if an event is missing, a
 * signature is refused, a body is not JSON, or a handshake fails.
 */
public final class HooksScenario {
    /** The drain gives up when no event has come for this long. */
    static final Duration STALL = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 20;
    private static final String DROPPED_METRIC = "gatehouse_webhook_events_dropped_total";

    public record Settings(int connections, Duration duration, int hookPort, int hookThreads, Duration drainTimeout) {
        Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("connections", connections);
            out.put("duration_seconds", duration.toMillis() / 1000.0);
            out.put("hook_url", "http://127.0.0.1:" + hookPort + HookReceiver.PATH);
            out.put("hook_threads", hookThreads);
            out.put("drain_timeout_seconds", drainTimeout.toSeconds());
            return out;
        }
    }

    private final Settings settings;
    private final String hookSecret;

    public HooksScenario(Settings settings, String hookSecret) {
        this.settings = settings;
        this.hookSecret = hookSecret;
    }

    public BenchResult run(BenchSetup setup) throws IOException, InterruptedException {
        BenchResult.Builder result = setup.begin("hooks", settings.describe());
        String prefix = "bench-hooks-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> tokens = setup.tokens().tokens(settings.connections(), prefix);
        Double droppedBefore = metric(setup.target(), DROPPED_METRIC);
        HookReceiver receiver;
        try {
            receiver = new HookReceiver(settings.hookPort(), hookSecret, settings.hookThreads(), prefix);
        } catch (IOException e) {
            throw new IOException("cannot receive webhooks on 127.0.0.1:" + settings.hookPort() + ": " + e, e);
        }
        try (receiver) {
            Cycler cycler = new Cycler(setup.client(), tokens);
            CpuSample cpuStart = CpuSample.take(setup.serverPid());
            long start = System.nanoTime();
            cycler.start();
            long end = start + settings.duration().toNanos();
            while (System.nanoTime() < end && cycler.running() > 0) {
                long left = end - System.nanoTime();
                setup.progress()
                        .update(() -> String.format(
                                "hooks: %,d connections opened and closed, %,d events received, %d s left",
                                cycler.established(),
                                receiver.received(),
                                Duration.ofNanos(left).toSeconds()));
                Thread.sleep(Math.min(100, Math.max(1, Duration.ofNanos(left).toMillis())));
            }
            setup.progress().update(() -> "hooks: closing the last connections");
            cycler.stop(Ramp.READY_TIMEOUT.plus(Ramp.CLOSE_TIMEOUT).toNanos());
            long generationEnd = System.nanoTime();
            long duringGeneration = receiver.received();
            long raised = 2L * cycler.established();

            long drainEnd = generationEnd + settings.drainTimeout().toNanos();
            long lastSeen = System.nanoTime();
            long seen = receiver.received();
            while (receiver.received() < raised
                    && System.nanoTime() < drainEnd
                    && System.nanoTime() - lastSeen < STALL.toNanos()) {
                setup.progress()
                        .update(() -> String.format(
                                "hooks: %,d of %,d events received, draining", receiver.received(), raised));
                Thread.sleep(POLL_MILLIS);
                if (receiver.received() != seen) {
                    seen = receiver.received();
                    lastSeen = System.nanoTime();
                }
            }
            CpuUse cpu = CpuSample.take(setup.serverPid()).since(cpuStart);
            Double droppedAfter = metric(setup.target(), DROPPED_METRIC);
            Long dropped =
                    droppedBefore == null || droppedAfter == null ? null : Math.round(droppedAfter - droppedBefore);
            long received = receiver.received();
            long first = receiver.firstNanos();
            long last = receiver.lastNanos();
            long span = first == 0 ? 0 : last - first;
            long generationNanos = generationEnd - start;
            long drainNanos = Math.max(0, last - generationEnd);
            HookDeliveries deliveries = new HookDeliveries(
                    settings.connections(),
                    generationNanos / Rate.NANOS_PER_SECOND,
                    raised,
                    Rate.perSecond(raised, generationNanos),
                    received,
                    Math.max(0, raised - received),
                    receiver.duplicates(),
                    receiver.badSignatures(),
                    receiver.unreadable(),
                    receiver.other(),
                    receiver.byType(),
                    span / Rate.NANOS_PER_SECOND,
                    Rate.perSecond(Math.max(0, received - 1), span),
                    duringGeneration,
                    drainNanos / Rate.NANOS_PER_SECOND,
                    Rate.perSecond(received - duringGeneration, drainNanos),
                    receiver.lag(),
                    dropped);
            Handshakes handshakes = cycler.handshakes();
            problems(result, deliveries, handshakes);
            return result.notes(setup.notes(cpu)).webhooks(deliveries).build(handshakes, null, null, cpu);
        }
    }

    private void problems(BenchResult.Builder result, HookDeliveries d, Handshakes handshakes) {
        if (handshakes.failed() > 0) {
            result.problem(handshakes.failedProblem());
        }
        if (d.received() == 0 && d.raised() > 0) {
            result.problem(String.format(
                    "no event of this run arrived: the server's hooks.url must be http://127.0.0.1:%d%s and its"
                            + " hooks.secret this --hook-secret (%,d deliveries had a bad signature)",
                    settings.hookPort(), HookReceiver.PATH, d.badSignatures()));
        } else if (d.missing() > 0) {
            result.problem(String.format(
                    "%,d of %,d events did not arrive (%s)",
                    d.missing(),
                    d.raised(),
                    d.serverDropped() != null && d.serverDropped() > 0
                            ? String.format("the server dropped %,d past hooks.max_queue", d.serverDropped())
                            : String.format(
                                    "waited up to %d s, giving up after %d s without any",
                                    settings.drainTimeout().toSeconds(), STALL.toSeconds())));
        }
        if (d.badSignatures() > 0) {
            result.problem(String.format("%,d deliveries had a bad signature (answered 400)", d.badSignatures()));
        }
        if (d.unreadable() > 0) {
            result.problem(String.format("%,d signed deliveries were not JSON", d.unreadable()));
        }
        if (d.duplicates() > 0) {
            result.note(String.format(
                    "%,d events arrived more than once (delivery is at least once: an answer was lost or late)",
                    d.duplicates()));
        }
    }

    /** The sum of {@code name}'s samples on the server's {@code GET /metrics}, or null when it cannot be read. */
    static Double metric(BenchTarget target, String name) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(target.url() + "/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            Double sum = null;
            for (String line : r.body().split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    String rest = line.substring(line.startsWith(name + "{") ? line.indexOf('}') + 1 : name.length());
                    sum = (sum == null ? 0 : sum)
                            + Double.parseDouble(rest.trim().split("\\s+")[0]);
                }
            }
            return sum;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}
