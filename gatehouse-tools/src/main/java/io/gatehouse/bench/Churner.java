package io.gatehouse.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Connection churn on a schedule: from {@link #start} to {@link #stop}, {@code rate} connections a
 * second (at most {@code maxInFlight} outstanding; past that the schedule waits and catches up
 * when they come free), each of which connects, waits for {@code connection_established} and
 * closes (1000) at once. Unlike {@link Cycler}, the rate is the bench's, not the server's pace, and
 * a failed connection does not stop anything: it is counted with its reason. Connection {@code i}
 * takes token {@code i % tokens.size()} and, through {@code firstIndex + i}, its source address.
 */
final class Churner {
    private static final long TICK_NANOS = 1_000_000; // 1 ms between looks at the schedule

    private final BenchClient client;
    private final List<String> tokens;
    private final double rate;
    private final int firstIndex;
    private final Semaphore inFlight;
    private final int maxInFlight;

    private final AtomicInteger established = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final LatencyRecorder handshakeLatency = new LatencyRecorder();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final AtomicLong lastEstablishedNanos = new AtomicLong();
    private volatile boolean stopped;
    private volatile int started;
    private long startNanos;
    private long stopNanos;
    private Thread pacing;

    Churner(BenchClient client, List<String> tokens, double rate, int maxInFlight, int firstIndex) {
        if (tokens.isEmpty() || !(rate > 0) || maxInFlight < 1) {
            throw new IllegalArgumentException("churn needs tokens, a positive rate and at least one in flight");
        }
        this.client = client;
        this.tokens = tokens;
        this.rate = rate;
        this.firstIndex = firstIndex;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
    }

    /** Starts the schedule on a thread of its own. */
    void start() {
        startNanos = System.nanoTime();
        pacing = new Thread(this::pace, "bench-churn");
        pacing.setDaemon(true);
        pacing.start();
    }

    private void pace() {
        Pacer pacer = new Pacer(rate, Long.MAX_VALUE);
        int n = 0;
        while (!stopped) {
            long due = pacer.dueAfter(System.nanoTime() - startNanos);
            while (n < due && !stopped && inFlight.tryAcquire()) {
                open(n++);
                started = n;
            }
            LockSupport.parkNanos(TICK_NANOS);
        }
    }

    private void open(int n) {
        BenchConnection c = BenchConnection.idle();
        client.connect(firstIndex + n, tokens.get(n % tokens.size()), c);
        c.established()
                .orTimeout(Ramp.READY_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((at, error) -> {
                    if (error == null) {
                        established.incrementAndGet();
                        handshakeLatency.record(at - c.startNanos());
                        lastEstablishedNanos.accumulateAndGet(at, Math::max);
                    } else {
                        failed.incrementAndGet();
                        String reason = c.failure() != null
                                ? c.failure()
                                : "not established within " + Ramp.READY_TIMEOUT.toSeconds() + " s";
                        failures.merge(reason, 1, Integer::sum);
                    }
                    c.close().addListener(f -> inFlight.release());
                });
    }

    /**
     * Starts no more connections; waits, at most {@code timeoutNanos}, until every started one is
     * established (or failed) and closed.
     */
    void stop(long timeoutNanos) throws InterruptedException {
        stopped = true;
        stopNanos = System.nanoTime();
        if (pacing != null) {
            pacing.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + 1);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (inFlight.availablePermits() < maxInFlight && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    /** Connections started so far. */
    int started() {
        return started;
    }

    int established() {
        return established.get();
    }

    int failed() {
        return failed.get();
    }

    /** Started connections still outstanding (not yet closed). */
    int outstanding() {
        return maxInFlight - inFlight.availablePermits();
    }

    /** The asked rate, connections a second. */
    double rate() {
        return rate;
    }

    /**
     * The churn connections as handshakes: attempted (started), established, failed (including any
     * still outstanding after {@link #stop}), the rate from the start to the stop, and latency.
     */
    Handshakes handshakes() {
        int ok = established.get();
        int attempted = started;
        int bad = attempted - ok;
        Map<String, Integer> reasons = new TreeMap<>(failures);
        int unanswered = bad - failed.get();
        if (unanswered > 0) {
            reasons.merge("neither established nor failed when the churn stopped", unanswered, Integer::sum);
        }
        long elapsed = (stopNanos == 0 ? System.nanoTime() : stopNanos) - startNanos;
        return new Handshakes(
                attempted,
                ok,
                bad,
                elapsed / Rate.NANOS_PER_SECOND,
                Rate.perSecond(ok, elapsed),
                handshakeLatency.percentiles(),
                reasons);
    }
}
