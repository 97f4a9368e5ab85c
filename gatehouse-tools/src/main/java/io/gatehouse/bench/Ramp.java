package io.gatehouse.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Opens connections on a schedule ({@code rate} a second) with at most {@code maxInFlight}
 * handshakes outstanding, so an overloaded server sees a bounded queue rather than a flood of
 * SYNs, and waits until each is ready or has failed. Records each handshake's latency: from the
 * start of the TCP connect to the arrival of {@code connection_established}.
 */
final class Ramp {
    /** A connection not ready this long after its start has failed. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    /** How long {@link #close} waits for the sockets to close. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private static final long TICK_NANOS = 1_000_000; // 1 ms between looks at the schedule

    private final BenchClient client;
    private final double rate;
    private final int maxInFlight;
    private final ProgressLine progress;
    private final String label;

    private final LatencyRecorder handshakeLatency = new LatencyRecorder();
    private final AtomicInteger established = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<BenchConnection> connections = new ArrayList<>();
    private long firstStartNanos;
    /** The latest connection_established so far; event loops race to raise it. */
    private final AtomicLong lastEstablishedNanos = new AtomicLong();

    Ramp(BenchClient client, double rate, int maxInFlight, ProgressLine progress, String label) {
        if (!(rate > 0) || maxInFlight < 1) {
            throw new IllegalArgumentException("a ramp needs a positive rate and at least one handshake in flight");
        }
        this.client = client;
        this.rate = rate;
        this.maxInFlight = maxInFlight;
        this.progress = progress;
        this.label = label;
    }

    /**
     * Opens {@code tokens.size()} connections made by {@code newConnection} and returns when each
     * is ready or failed; bounded by the schedule plus {@link #READY_TIMEOUT}.
     */
    Ramp run(List<String> tokens, IntFunction<BenchConnection> newConnection) throws InterruptedException {
        int count = tokens.size();
        Pacer pacer = new Pacer(rate, count);
        Semaphore inFlight = new Semaphore(maxInFlight);
        firstStartNanos = System.nanoTime();
        int started = 0;
        while (started < count) {
            long now = System.nanoTime();
            long due = pacer.dueAfter(now - firstStartNanos);
            while (started < due && inFlight.tryAcquire()) {
                BenchConnection c = newConnection.apply(started);
                connections.add(c);
                c.established().thenAccept(at -> {
                    handshakeLatency.record(at - c.startNanos());
                    established.incrementAndGet();
                    lastEstablishedNanos.accumulateAndGet(at, Math::max);
                });
                c.ready().whenComplete((ok, error) -> {
                    inFlight.release();
                    if (error != null) {
                        failed.incrementAndGet();
                    }
                });
                client.connect(started, tokens.get(started), c);
                started++;
            }
            int startedSoFar = started;
            progress.update(() -> String.format(
                    "%s: %,d of %,d started, %,d established, %,d failed",
                    label, startedSoFar, count, established.get(), failed.get()));
            if (started < count) {
                LockSupport.parkNanos(TICK_NANOS);
            }
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        for (BenchConnection c : connections) {
            try {
                c.ready().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                // failed: its reason is in its failure()
            } catch (TimeoutException e) {
                c.fail("not ready within " + READY_TIMEOUT.toSeconds() + " s");
            }
            progress.update(() -> String.format(
                    "%s: %,d of %,d established, %,d failed", label, established.get(), count, failed.get()));
        }
        return this;
    }

    List<BenchConnection> connections() {
        return connections;
    }

    LatencyRecorder handshakeLatency() {
        return handshakeLatency;
    }

    /** Connections that became ready; the others failed. */
    int ready() {
        return (int) connections.stream()
                .filter(c -> c.ready().isDone() && !c.ready().isCompletedExceptionally())
                .count();
    }

    /** From the first connect to the last {@code connection_established}. */
    long elapsedNanos() {
        long last = lastEstablishedNanos.get();
        return last == 0 ? 0 : last - firstStartNanos;
    }

    /** The connections that are still open and have had no failure. */
    List<BenchConnection> healthy() {
        return connections.stream().filter(BenchConnection::healthy).toList();
    }

    /** "reason" → how many connections failed for it, so far. */
    Map<String, Integer> failures() {
        return failures(connections);
    }

    /** Connections that were ready and are not healthy any more. */
    List<BenchConnection> dropped() {
        return connections.stream()
                .filter(c -> c.ready().isDone() && !c.ready().isCompletedExceptionally() && !c.healthy())
                .toList();
    }

    /** Closes every connection of the ramp, saying so on the progress line. */
    void close() throws InterruptedException {
        progress.update(() -> label + ": closing");
        BenchClient.closeAll(connections, CLOSE_TIMEOUT);
    }

    /** "reason" → how many of {@code some} failed for it. */
    static Map<String, Integer> failures(List<BenchConnection> some) {
        Map<String, Integer> byReason = new TreeMap<>();
        for (BenchConnection c : some) {
            if (c.failure() != null) {
                byReason.merge(c.failure(), 1, Integer::sum);
            }
        }
        return byReason;
    }
}
