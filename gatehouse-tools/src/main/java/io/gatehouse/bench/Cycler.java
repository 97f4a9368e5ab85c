package io.gatehouse.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens and closes connections as fast as the server lets it: each of {@code tokens.size()} slots
 * opens a connection with its token, closes it (1000) once {@code connection_established} has
 * come, and opens the next once the socket is closed, until {@link #stop}. A slot whose handshake
 * fails (or is not established within {@link Ramp#READY_TIMEOUT}) stops, so that a refusing server
 * is not hammered. Each established connection is one {@code connection.opened} and one
 * {@code connection.closed} webhook event.
 */
final class Cycler {
    private final BenchClient client;
    private final List<String> tokens;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger established = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final LatencyRecorder handshakeLatency = new LatencyRecorder();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final AtomicLong lastEstablishedNanos = new AtomicLong();
    private volatile boolean stopped;
    private long startNanos;

    Cycler(BenchClient client, List<String> tokens) {
        this.client = client;
        this.tokens = tokens;
    }

    void start() {
        startNanos = System.nanoTime();
        for (int slot = 0; slot < tokens.size(); slot++) {
            running.incrementAndGet();
            cycle(slot);
        }
    }

    /** Starts no more connections; waits, at most {@code timeoutNanos}, until each slot's last one is closed. */
    void stop(long timeoutNanos) throws InterruptedException {
        stopped = true;
        long deadline = System.nanoTime() + timeoutNanos;
        while (running.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    private void cycle(int slot) {
        if (stopped) {
            running.decrementAndGet();
            return;
        }
        BenchConnection c = BenchConnection.idle();
        client.connect(next.getAndIncrement(), tokens.get(slot), c);
        c.established()
                .orTimeout(Ramp.READY_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((at, error) -> {
                    if (error == null) {
                        established.incrementAndGet();
                        handshakeLatency.record(at - c.startNanos());
                        lastEstablishedNanos.accumulateAndGet(at, Math::max);
                        c.close().addListener(f -> cycle(slot));
                    } else {
                        failed.incrementAndGet();
                        String reason = c.failure() != null
                                ? c.failure()
                                : "not established within " + Ramp.READY_TIMEOUT.toSeconds() + " s";
                        failures.merge(reason, 1, Integer::sum);
                        c.close();
                        running.decrementAndGet(); // this slot stops
                    }
                });
    }

    int established() {
        return established.get();
    }

    int failed() {
        return failed.get();
    }

    /** Slots still opening and closing connections. */
    int running() {
        return running.get();
    }

    /** The connections of the run as handshakes: attempted, established, their latency and failures. */
    Handshakes handshakes() {
        long elapsed = lastEstablishedNanos.get() == 0 ? 0 : lastEstablishedNanos.get() - startNanos;
        int ok = established.get();
        return new Handshakes(
                ok + failed.get(),
                ok,
                failed.get(),
                elapsed / Rate.NANOS_PER_SECOND,
                Rate.perSecond(ok, elapsed),
                handshakeLatency.percentiles(),
                new TreeMap<>(failures));
    }
}
