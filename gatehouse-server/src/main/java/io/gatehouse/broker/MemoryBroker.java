package io.gatehouse.broker;

import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.StreamPosition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node {@link Broker}: streams, history and presence live in this process, so every
 * channel gets a new epoch when the process restarts. A publish takes its channel's lock only to
 * assign the offset, keep the publication and hand its delivery to the channel's lane
 * ({@link DeliveryLanes}); the listener runs later, on a delivery thread, outside every lock.
 */
public final class MemoryBroker implements Broker {
    private final io.gatehouse.cluster.IdempotencyKeys idempotencyKeys =
            new io.gatehouse.cluster.LocalIdempotencyKeys();

    /**
     * Publications of one channel waiting for delivery, beyond which a publish is refused with
     * RATE_LIMITED: delivery runs off the publisher's thread, and a channel whose fan-out cannot keep
     * up must not grow memory without bound.
     */
    static final int MAX_BACKLOG = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(MemoryBroker.class);

    /**
     * How long a stream without kept publications survives with no publish, position or history
     * read. Evicting it changes the channel's epoch, which costs a client that was offline its
     * {@code recovered: true}; a day lets a laptop closed overnight on a quiet channel still recover.
     */
    static final Duration STREAM_IDLE_TTL = Duration.ofHours(24);

    /** How often a publish or read also sweeps idle streams; one map walk a minute, on a caller. */
    static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    private final Clock clock;
    private final Function<ChannelName, HistoryRetention> retention;
    private final long streamIdleTtlMillis;
    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    private final MemoryPresence presence = new MemoryPresence();
    private final DeliveryLanes lanes = new DeliveryLanes(DeliveryLanes.defaultThreads());
    /** Clock millis of the last sweep; the caller that moves it on runs the next sweep. */
    private final AtomicLong lastSweepMillis;

    private volatile BrokerListener listener;
    private volatile boolean closed;

    /** One channel's offsets and kept publications within one epoch. Guarded by {@link #lock}. */
    private static final class Stream {
        /**
         * Held to assign an offset, keep a publication and hand in its delivery, so that a channel's
         * deliveries are handed in in offset order; never while a listener runs.
         */
        final ReentrantLock lock = new ReentrantLock();

        final String epoch = newEpoch();
        final HistoryRetention retention;
        final ArrayDeque<Publication> kept = new ArrayDeque<>(1); // most streams (personal channels) keep little
        long offset;
        long lastUsedMillis;
        /** Evicted: no longer in the map; whoever finds it dead must fetch a fresh stream. */
        boolean dead;

        Stream(HistoryRetention retention, long nowMillis) {
            this.retention = retention;
            this.lastUsedMillis = nowMillis;
        }

        void dropExpired(Instant now) {
            Duration ttl = retention.ttl();
            while (!kept.isEmpty()
                    && Duration.between(kept.peekFirst().publishedAt(), now).compareTo(ttl) > 0) {
                kept.removeFirst();
            }
        }

        StreamPosition position() {
            return new StreamPosition(offset, epoch);
        }
    }

    /** A broker whose idle streams are evicted after {@link #STREAM_IDLE_TTL}. */
    public MemoryBroker(Clock clock, Function<ChannelName, HistoryRetention> retention) {
        this(clock, retention, STREAM_IDLE_TTL);
    }

    /** A broker whose idle streams are evicted after {@code streamIdleTtl} (for tests). */
    MemoryBroker(Clock clock, Function<ChannelName, HistoryRetention> retention, Duration streamIdleTtl) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retention = Objects.requireNonNull(retention, "retention");
        if (streamIdleTtl.isNegative() || streamIdleTtl.isZero()) {
            throw new IllegalArgumentException("streamIdleTtl must be positive, not " + streamIdleTtl);
        }
        this.streamIdleTtlMillis = streamIdleTtl.toMillis();
        this.lastSweepMillis = new AtomicLong(clock.millis());
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public CompletionStage<Publication> publish(ChannelName channel, String dataJson) {
        BrokerListener l = listener();
        if (closed) {
            return closedStage();
        }
        if (lanes.backlog(channel) >= MAX_BACKLOG) {
            // Refused before an offset is taken: the publisher learns that nothing was published.
            return CompletableFuture.failedFuture(RefusalCode.RATE_LIMITED
                    .refusal("Channel " + channel + " has " + MAX_BACKLOG
                            + " publications waiting to be delivered; publish more slowly")
                    .retryAfter(1000)
                    .asException());
        }
        return CompletableFuture.completedFuture(underLock(channel, (stream, now) -> {
            stream.offset++;
            Publication p = new Publication(channel.value(), stream.offset, stream.epoch, dataJson, now);
            HistoryRetention r = stream.retention;
            if (r.keepsAny()) {
                stream.kept.addLast(p);
                while (stream.kept.size() > r.size()) {
                    stream.kept.removeFirst();
                }
                stream.dropExpired(now);
            }
            // Handed in under the lock, after it is kept: the lane then holds the channel's
            // publications in offset order (across evictions too: the lane is the channel's, not the
            // stream's), and a listener finds each in history. The listener runs on a delivery
            // thread, never under this lock.
            lanes.submit(channel, () -> deliver(l, p));
            return p;
        }));
    }

    /**
     * Runs {@code action} on {@code channel}'s live stream under its lock (creating the stream if
     * needed, retrying if an eviction got there first), after marking the stream used now.
     */
    private <T> T underLock(ChannelName channel, BiFunction<Stream, Instant, T> action) {
        sweepIfDue();
        while (true) {
            Stream stream = stream(channel);
            stream.lock.lock();
            try {
                if (stream.dead) {
                    continue;
                }
                Instant now = clock.instant();
                stream.lastUsedMillis = now.toEpochMilli();
                return action.apply(stream, now);
            } finally {
                stream.lock.unlock();
            }
        }
    }

    private static void deliver(BrokerListener l, Publication p) {
        try {
            l.onPublication(p);
        } catch (RuntimeException e) {
            // The publication is kept and its offset taken; the channel's next ones are delivered all the same.
            LOG.error("Broker listener failed on publication {} of channel {}", p.offset(), p.channel(), e);
        }
    }

    private BrokerListener listener() {
        BrokerListener l = listener;
        if (l == null) {
            throw new IllegalStateException("MemoryBroker.start(listener) must be called first");
        }
        return l;
    }

    private static <T> CompletionStage<T> closedStage() {
        return CompletableFuture.failedFuture(new IllegalStateException("the broker is closed"));
    }

    @Override
    public CompletionStage<StreamPosition> position(ChannelName channel) {
        return CompletableFuture.completedFuture(underLock(channel, (stream, now) -> stream.position()));
    }

    @Override
    public CompletionStage<HistoryPage> history(ChannelName channel, HistoryQuery query) {
        return CompletableFuture.completedFuture(underLock(channel, (stream, now) -> {
            stream.dropExpired(now);
            return new HistoryPage(select(stream.kept, query), stream.position());
        }));
    }

    /** The publications of {@code kept} (oldest first) that {@code query} selects, oldest first. */
    private static List<Publication> select(ArrayDeque<Publication> kept, HistoryQuery query) {
        int limit = query.limit();
        List<Publication> page = new ArrayList<>(Math.min(limit, kept.size()));
        if (limit == 0 || kept.isEmpty()) {
            return page;
        }
        if (query.hasSince()) {
            for (Publication p : kept) {
                if (p.offset() > query.since()) {
                    page.add(p);
                    if (page.size() == limit) {
                        break;
                    }
                }
            }
        } else {
            int skip = Math.max(0, kept.size() - limit);
            Iterator<Publication> it = kept.iterator();
            for (int i = 0; i < skip; i++) {
                it.next();
            }
            it.forEachRemaining(page::add);
        }
        return page;
    }

    private Stream stream(ChannelName channel) {
        return streams.computeIfAbsent(channel.value(), k -> new Stream(retention.apply(channel), clock.millis()));
    }

    /**
     * Drops expired publications and evicts idle streams without kept ones, at most once per
     * {@link #SWEEP_INTERVAL}, on the thread of the call that finds it due. Busy streams are skipped
     * rather than waited for: they are in use, and the sweep should not queue behind publishers.
     */
    private void sweepIfDue() {
        long now = clock.millis();
        long last = lastSweepMillis.get();
        if (now - last < SWEEP_INTERVAL.toMillis() || !lastSweepMillis.compareAndSet(last, now)) {
            return;
        }
        Instant nowInstant = Instant.ofEpochMilli(now);
        for (Map.Entry<String, Stream> e : streams.entrySet()) {
            Stream stream = e.getValue();
            if (!stream.lock.tryLock()) {
                continue;
            }
            try {
                stream.dropExpired(nowInstant);
                if (stream.kept.isEmpty() && now - stream.lastUsedMillis > streamIdleTtlMillis) {
                    // Under the lock: a publisher holding this stream sees it dead and takes a fresh one.
                    streams.remove(e.getKey(), stream);
                    stream.dead = true;
                }
            } finally {
                stream.lock.unlock();
            }
        }
    }

    private static String newEpoch() {
        // Tells an old stream from a new one; need not be secret, only unlikely to repeat.
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    @Override
    public CompletionStage<Void> subscribe(ChannelName channel) {
        // One node: every publication already reaches the listener.
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void unsubscribe(ChannelName channel) {
        // One node: nothing to tell anyone.
    }

    @Override
    public CompletionStage<Integer> addPresence(ChannelName channel, PresenceClient client, boolean announce) {
        return CompletableFuture.completedFuture(presence.add(channel, client, count -> {
            if (announce) { // in the count's atomic step: the channel's lane gets the events in count order
                publishPresenceEvent(new PresenceEvent(channel, PresenceEvent.Kind.JOIN, client, count == 1));
            }
        }));
    }

    @Override
    public CompletionStage<Integer> removePresence(
            ChannelName channel, String connectionId, PresenceClient announceAs) {
        return CompletableFuture.completedFuture(presence.remove(channel, connectionId, left -> {
            if (announceAs != null) {
                publishPresenceEvent(new PresenceEvent(channel, PresenceEvent.Kind.LEAVE, announceAs, left == 0));
            }
        }));
    }

    @Override
    public CompletionStage<List<PresenceClient>> presence(ChannelName channel) {
        return CompletableFuture.completedFuture(presence.of(channel));
    }

    @Override
    public CompletionStage<Void> publishPresenceEvent(PresenceEvent event) {
        if (closed) {
            return closedStage();
        }
        BrokerListener l = listener();
        // The channel's lane: after the publications handed in before, before the ones after.
        lanes.submit(event.channel(), () -> l.onPresenceEvent(event));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public io.gatehouse.cluster.IdempotencyKeys idempotencyKeys() {
        return idempotencyKeys;
    }

    @Override
    public CompletionStage<Void> publishControl(ControlCommand command) {
        if (closed) {
            return closedStage();
        }
        BrokerListener l = listener();
        lanes.submitControl(() -> l.onControl(command));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isReachable() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        lanes.close();
        streams.clear();
        presence.clear();
    }
}
