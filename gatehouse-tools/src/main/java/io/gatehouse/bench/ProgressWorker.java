package io.gatehouse.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tasks scenario's worker: {@code POST /api/v1/tasks/{id}/progress} with
 * {@code Authorization: apikey KEY}, as fast as the server answers, over {@code connections}
 * keep-alive HTTP/1.1 connections with one call in flight on each: an answered connection sends
 * the next call at once (a closed loop). Call {@code n} goes to task {@code n % tasks} with
 * {@code done = n / tasks + 1}, so the calls go round the tasks and each task's {@code done} rises
 * by one per round. Answer times and answers are counted while {@link #measure} is on.
 */
final class ProgressWorker implements HttpLoad {
    /** Connections the server closed may be replaced this many times per connection, no more. */
    private static final int REPLACEMENTS_PER_CONNECTION = 10;

    private final BenchClient client;
    private final String host;
    private final String authorization;
    private final List<String> paths;
    private final int connections;

    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger replacementsLeft;
    private final List<PublishConnection> all = new ArrayList<>();
    /** Per task, the highest done answered 200. */
    private final AtomicLongArray answeredDone;

    private final LongAdder answeredOk = new LongAdder();
    private final LongAdder measuredOk = new LongAdder();
    private final LatencyRecorder answerLatency = new LatencyRecorder();
    /** "reason" → count, for calls not answered 200. */
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    private volatile boolean measuring;
    private volatile boolean stopped;
    /** Some connection has opened. */
    private volatile boolean opened;

    private volatile long lastAnswerNanos;

    ProgressWorker(BenchClient client, BenchTarget target, String apiKey, List<String> taskIds, int connections) {
        this.client = client;
        this.host = target.publishUri().getHost() + ":" + target.port();
        this.authorization = "apikey " + apiKey;
        this.paths = taskIds.stream().map(TaskApi::progressPath).toList();
        this.connections = connections;
        this.answeredDone = new AtomicLongArray(taskIds.size());
        this.replacementsLeft = new AtomicInteger(REPLACEMENTS_PER_CONNECTION * connections);
    }

    /**
     * Opens the connections, which start calling as each opens; false when none has opened within
     * {@link Publisher#CONNECT_TIMEOUT}.
     */
    boolean start() throws InterruptedException {
        for (int i = 0; i < connections; i++) {
            open();
        }
        long deadline = System.nanoTime() + Publisher.CONNECT_TIMEOUT.toNanos();
        while (!opened && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return opened;
    }

    /** Counts answers and their times from now on, or stops counting them. */
    void measure(boolean on) {
        measuring = on;
    }

    /** Sends no more calls, waits (at most the request timeout and a second) for those in flight, closes. */
    void stop() throws InterruptedException {
        stopped = true;
        long deadline =
                System.nanoTime() + Publisher.REQUEST_TIMEOUT.plusSeconds(1).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        synchronized (all) {
            all.forEach(PublishConnection::close);
        }
    }

    /** Calls answered 200 so far. */
    long answeredOk() {
        return answeredOk.sum();
    }

    /** Calls answered 200 while measuring. */
    long measuredOk() {
        return measuredOk.sum();
    }

    Percentiles answerTimes() {
        return answerLatency.percentiles();
    }

    /** The highest done of task {@code t} answered 200, 0 when none was. */
    long answeredDone(int t) {
        return answeredDone.get(t);
    }

    /** Calls not answered 200, by reason. */
    Map<String, Integer> failures() {
        return new TreeMap<>(failures);
    }

    int failed() {
        return failures.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** When the last call was answered, {@code System.nanoTime()}; 0 before any. */
    long lastAnswerNanos() {
        return lastAnswerNanos;
    }

    private void open() {
        PublishConnection c = new PublishConnection(this);
        synchronized (all) {
            all.add(c);
        }
        client.openHttp(c);
    }

    private int task(int seq) {
        return Integer.remainderUnsigned(seq, paths.size());
    }

    private long done(int seq) {
        return Integer.toUnsignedLong(seq) / paths.size() + 1;
    }

    // --- called by the connections, on their event loops

    @Override
    public String host() {
        return host;
    }

    @Override
    public String authorization() {
        return authorization;
    }

    @Override
    public String path(int seq) {
        return paths.get(task(seq));
    }

    @Override
    public String body(int seq, long sentNanos) {
        return "{\"done\":" + done(seq) + "}";
    }

    @Override
    public void sent(int seq, long sentNanos) {
        // the answer time is measured by the connection
    }

    @Override
    public void answered(int seq, long answerNanos, String failure) {
        if (failure == null) {
            answeredOk.increment();
            answeredDone.accumulateAndGet(task(seq), done(seq), Math::max);
            if (measuring) {
                measuredOk.increment();
                answerLatency.record(answerNanos);
            }
        } else {
            failures.merge(failure, 1, Integer::sum);
        }
        lastAnswerNanos = System.nanoTime();
        inFlight.decrementAndGet();
    }

    @Override
    public void idle(PublishConnection c) {
        opened = true;
        if (!stopped) {
            inFlight.incrementAndGet();
            c.send(next.getAndIncrement());
        }
    }

    @Override
    public void lost(PublishConnection c) {
        if (!stopped && replacementsLeft.getAndDecrement() > 0) {
            open();
        }
    }
}
