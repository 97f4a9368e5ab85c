package io.gatehouse.bench;

import io.gatehouse.protocol.ChannelName;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes through {@code POST /api/v1/publish} ({@code Authorization: apikey KEY}) on a fixed
 * schedule, over {@code connections} keep-alive HTTP/1.1 connections on the bench's event loops,
 * one request in flight on each: a slow answer does not delay the next publication unless every
 * connection is waiting, and then the schedule waits and the achieved rate says so. Each
 * publication carries its {@code seq} and the {@code System.nanoTime()} at which its request was
 * written ({@link BenchPayload}).
 */
final class Publisher implements HttpLoad {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** How far the schedule may fall behind before the rest is given up. */
    static final Duration MAX_LAG = Duration.ofSeconds(30);

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final long TICK_NANOS = 1_000_000; // 1 ms
    private static final long MIN_PARK_NANOS = 50_000; // 50 µs
    /** Connections the server closed may be replaced this many times per connection, no more. */
    private static final int REPLACEMENTS_PER_CONNECTION = 10;

    private final BenchClient client;
    private final String host;
    /** The server publications go to: the subscribers' or, with --publish-url, another node. */
    private final InetSocketAddress server;

    private final String authorization;
    private final ChannelName channelName;
    private final int payloadBytes;
    private final int connections;

    /** Connections ready for a request; any thread. */
    private final Queue<PublishConnection> idle = new ConcurrentLinkedQueue<>();

    private final List<PublishConnection> all = new ArrayList<>();
    private final AtomicInteger replacementsLeft;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean finished;
    private Outcome outcome;
    private int firstMeasuredSeq;

    Publisher(
            BenchClient client,
            BenchTarget target,
            String apiKey,
            ChannelName channelName,
            int payloadBytes,
            int connections) {
        this.client = client;
        this.host = target.publishUri().getHost() + ":" + target.port();
        this.server = new InetSocketAddress(target.address(), target.port());
        this.authorization = "apikey " + apiKey;
        this.channelName = channelName;
        this.payloadBytes = payloadBytes;
        this.connections = connections;
        this.replacementsLeft = new AtomicInteger(REPLACEMENTS_PER_CONNECTION * connections);
    }

    /** What a run of publications did. */
    static final class Outcome {
        /** When each publication was written, {@code System.nanoTime()}; 0 for one never sent. */
        final AtomicLongArray sentNanos;

        final LatencyRecorder answerLatency = new LatencyRecorder();
        final AtomicInteger answeredOk = new AtomicInteger();
        /** "reason" → count, for publications not answered 200. */
        final Map<String, Integer> failures = new ConcurrentHashMap<>();

        Outcome(int count) {
            sentNanos = new AtomicLongArray(count);
        }

        long sentNanos(int seq) {
            return sentNanos.get(seq);
        }

        int count() {
            return sentNanos.length();
        }

        int sent() {
            int n = 0;
            for (int i = 0; i < sentNanos.length(); i++) {
                n += sentNanos.get(i) != 0 ? 1 : 0;
            }
            return n;
        }

        int failed() {
            return count() - answeredOk.get();
        }

        Map<String, Integer> failureReasons() {
            Map<String, Integer> reasons = new TreeMap<>(failures);
            int unsent = count() - sent();
            if (unsent > 0 && sent() > 0) {
                reasons.put("not sent: the schedule fell " + MAX_LAG.toSeconds() + " s behind", unsent);
            }
            return reasons;
        }
    }

    /**
     * Sends {@code count} publications at {@code perSecond}, calling {@code onTick} between sends
     * (for the progress line), and returns once each is answered or has timed out. Answer times
     * are recorded from {@code firstMeasuredSeq} on.
     */
    Outcome publish(int count, double perSecond, int firstMeasuredSeq, Runnable onTick) throws InterruptedException {
        this.outcome = new Outcome(count);
        this.firstMeasuredSeq = firstMeasuredSeq;
        for (int i = 0; i < connections; i++) {
            open();
        }
        long connectDeadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        while (idle.size() < connections && System.nanoTime() < connectDeadline) {
            Thread.sleep(1);
        }
        try {
            if (idle.isEmpty()) {
                outcome.failures.put(
                        "no publish connection opened within " + CONNECT_TIMEOUT.toSeconds() + " s", count);
                return outcome;
            }
            Pacer pacer = new Pacer(perSecond, count);
            long start = System.nanoTime();
            long giveUpAt = start + pacer.spanNanos() + MAX_LAG.toNanos();
            int next = 0;
            while (next < count && System.nanoTime() < giveUpAt) {
                long due = pacer.dueAfter(System.nanoTime() - start);
                PublishConnection c;
                while (next < due && (c = idle.poll()) != null) {
                    inFlight.incrementAndGet();
                    c.send(next++);
                }
                onTick.run();
                if (next < count) {
                    // Until the next one is due, at most a tick: a connection may come free meanwhile.
                    long untilDue = pacer.startOf(next) - (System.nanoTime() - start);
                    LockSupport.parkNanos(Math.max(MIN_PARK_NANOS, Math.min(TICK_NANOS, untilDue)));
                }
            }
            long answersDeadline = System.nanoTime()
                    + REQUEST_TIMEOUT.toNanos()
                    + Duration.ofSeconds(1).toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < answersDeadline) {
                Thread.sleep(1);
            }
            return outcome;
        } finally {
            finished = true;
            synchronized (all) {
                all.forEach(PublishConnection::close);
            }
        }
    }

    private void open() {
        PublishConnection c = new PublishConnection(this);
        synchronized (all) {
            all.add(c);
        }
        client.openHttp(c, server);
    }

    // --- called by the connections, on their event loops

    @Override
    public String host() {
        return host;
    }

    @Override
    public String path(int seq) {
        return BenchTarget.PUBLISH_PATH;
    }

    @Override
    public String authorization() {
        return authorization;
    }

    /**
     * The HTTP API's publish body, {@code {"channel":NAME,"data":DATA}} (not a WebSocket message, so
     * not {@code WireCodec}'s): written by hand, as the data is already JSON text, and the name
     * needs no escaping, the channel grammar having neither quotes nor backslashes.
     */
    @Override
    public String body(int seq, long sentNanos) {
        return "{\"channel\":\"" + channelName + "\",\"data\":" + BenchPayload.json(seq, sentNanos, payloadBytes) + "}";
    }

    @Override
    public void sent(int seq, long sentNanos) {
        outcome.sentNanos.set(seq, sentNanos);
    }

    @Override
    public void answered(int seq, long answerNanos, String failure) {
        if (failure == null) {
            outcome.answeredOk.incrementAndGet();
        } else {
            outcome.failures.merge(failure, 1, Integer::sum);
        }
        if (seq >= firstMeasuredSeq) {
            outcome.answerLatency.record(answerNanos);
        }
        inFlight.decrementAndGet();
    }

    @Override
    public void idle(PublishConnection c) {
        if (!finished) {
            idle.offer(c);
        }
    }

    /** The server closed {@code c}: another takes its place while the run lasts, within a budget. */
    @Override
    public void lost(PublishConnection c) {
        idle.remove(c);
        if (!finished && replacementsLeft.getAndDecrement() > 0) {
            open();
        }
    }
}
