package io.gatehouse.broker;

import io.gatehouse.broker.RedisScripts.Script;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.protocol.StreamPosition;
import io.lettuce.core.RedisCommandExecutionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker of a deployment of several nodes, on Redis (SPEC §10; the key layout is in
 * docs/redis.md). Each node has one; all that share Redis and a key prefix are one deployment.
 *
 * <p>How it keeps {@link Broker}'s guarantees:
 * <ul>
 *   <li>A publish is one Lua script ({@link RedisScripts}): it takes the next offset from the
 *       channel's meta hash, appends the publication to the channel's history and PUBLISHes it on
 *       the channel's events pub/sub channel. Scripts run one at a time, so offsets have no gap and
 *       no repeat, a publication is kept before anyone receives it, and every node receives a
 *       channel's publications in offset order.</li>
 *   <li>History is a Redis Stream whose entry ids are the offsets: a recovery read is an
 *       {@code XRANGE} from an offset, {@code XADD ... MAXLEN size} keeps exactly the newest
 *       {@code size}, and an entry holds its keep time beside its body. Redis expires keys, not list
 *       items or stream entries, so the ttl is kept twice: the stream key expires {@code ttl} after
 *       the last publish in Redis's time (once nothing was published for a ttl, every entry is older
 *       than it: the bound on what Redis keeps), and each read drops the entries kept longer than the
 *       ttl by this broker's {@link Clock} (what a reader sees). Keep times never go back within a
 *       channel, so what is dropped is always the oldest and what stays is contiguous.</li>
 *   <li>The epoch lives in the meta hash with the offset, so the two are lost together. A script
 *       that finds the meta hash gone, or the history stream gone before its expiry time (evicted,
 *       deleted), starts a new epoch at offset 0 and deletes what is left: offsets start again at 1
 *       exactly when what they numbered was lost. An idle channel's meta hash expires after
 *       {@link #STREAM_IDLE_TTL}, never before its history.</li>
 *   <li>Delivery: one pub/sub connection per node ({@link RedisSubscriptions}), subscribed to a
 *       channel while the hub has subscribers on it; messages go to the listener through
 *       {@link DeliveryLanes}, as in the {@link MemoryBroker}. Presence events travel on the
 *       channel's events pub/sub channel, so they keep their place among its publications; control
 *       commands on one pub/sub channel of their own, to which every node subscribes at start,
 *       and in a short log read after a reconnect ({@link RedisControlLog}).</li>
 *   <li>Stages complete on a reply thread ({@link RedisReplyThreads}), never a Lettuce loop, or, for
 *       this node's publishes and control commands, on the delivery thread that receives them back
 *       first ({@link PendingStages}); a Redis that fails fails them with BACKEND_UNAVAILABLE.</li>
 *   <li>After a pub/sub reconnect, what was missed is read from history ({@link RedisRecoveries}).</li>
 *   <li>Presence entries name their node; a node whose heartbeat stops for {@code nodeTtl} drops out
 *       of every presence, and another removes its entries ({@link RedisNodes}).</li>
 * </ul>
 */
public final class RedisBroker implements Broker {
    /** How long a channel keeps its offsets and epoch with no publish or read (as the memory broker). */
    static final Duration STREAM_IDLE_TTL = MemoryBroker.STREAM_IDLE_TTL;
    /** Deliveries of one channel waiting on this node, beyond which this node refuses its publishes. */
    static final int MAX_BACKLOG = MemoryBroker.MAX_BACKLOG;

    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    private static final String UNAVAILABLE_HINT = "The broker (Redis) did not answer; retry shortly";

    private final Clock clock;
    private final Function<ChannelName, HistoryRetention> retention;
    private final String idleTtlMillis;
    private final RedisKeys keys;
    final RedisDeliveries deliveries; // package-private: the broker's tests read its cursors
    private final RedisConnections redis;
    private final RedisScripts scripts;
    private final RedisPresence presence;
    private final RedisNodes nodes;
    private final RedisSubscriptions subscriptions;
    private final RedisControlLog controlLog;
    /** Completes the stages Lettuce answers: caller code never runs on a Lettuce thread. */
    private final RedisReplyThreads replies = new RedisReplyThreads();

    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Connects to the Redis at {@code url} and subscribes to the control channel, waiting for both
     * (bounded by {@link RedisConnections#COMMAND_TIMEOUT}; call it at start-up, not on an event
     * loop). Fails with a {@link BrokerUnreachableException} if Redis cannot be reached or does not
     * answer. Every key and pub/sub channel starts with {@code keyPrefix}. A node whose heartbeat
     * stopped for {@code nodeTtl} (presence.node_ttl) drops out of every presence.
     */
    public RedisBroker(
            String url,
            String keyPrefix,
            Duration nodeTtl,
            Clock clock,
            Function<ChannelName, HistoryRetention> retention) {
        this(url, keyPrefix, nodeTtl, clock, retention, STREAM_IDLE_TTL);
    }

    /** A broker whose idle channels keep their offsets for {@code streamIdleTtl} (for tests). */
    RedisBroker(
            String url,
            String keyPrefix,
            Duration nodeTtl,
            Clock clock,
            Function<ChannelName, HistoryRetention> retention,
            Duration streamIdleTtl) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retention = Objects.requireNonNull(retention, "retention");
        if (streamIdleTtl.isNegative() || streamIdleTtl.isZero()) {
            throw new IllegalArgumentException("streamIdleTtl must be positive, not " + streamIdleTtl);
        }
        this.idleTtlMillis = Long.toString(streamIdleTtl.toMillis());
        this.keys = new RedisKeys(keyPrefix);
        this.deliveries = new RedisDeliveries(randomHex(12));
        this.redis = RedisConnections.open(url, clientName());
        try {
            this.scripts = new RedisScripts(redis.commands.async());
            scripts.load();
            this.presence = new RedisPresence(scripts, keys, deliveries.node());
            this.nodes = new RedisNodes(scripts, keys, deliveries, presence, nodeTtl);
            RedisRecoveries recoveries = new RedisRecoveries(deliveries, this::history, closed::get, replies);
            this.controlLog = new RedisControlLog(redis.commands.async(), keys, deliveries, closed::get, replies);
            this.subscriptions = new RedisSubscriptions(
                    redis.pubSub, keys, deliveries, recoveries::resubscribed, controlLog::resubscribed);
            subscriptions.subscribeToControl(RedisConnections.COMMAND_TIMEOUT);
        } catch (Exception e) {
            redis.close();
            deliveries.close();
            replies.shutdown();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new BrokerUnreachableException(redis.address() + " did not get ready", e);
        }
    }

    /** Whether {@code prefix} may be a key prefix (broker.prefix): 1 to 64 of {@code A-Z a-z 0-9 _ - . :}. */
    public static boolean isKeyPrefix(String prefix) {
        return RedisKeys.isPrefix(prefix);
    }

    /** The name of this node's connections in Redis's CLIENT LIST. */
    String clientName() {
        return "gatehouse-node-" + deliveries.node();
    }

    /** The limits this node shares with the deployment's other nodes ({@link RedisLimits}). */
    public io.gatehouse.cluster.SharedLimits limits() {
        return new RedisLimits(scripts, keys.prefix(), deliveries.node(), replies);
    }

    @Override // on Redis: RedisIdempotencyKeys
    public io.gatehouse.cluster.IdempotencyKeys idempotencyKeys() {
        return new RedisIdempotencyKeys(redis.commands.async(), keys.prefix(), replies);
    }

    /** The statistics this node shares with the deployment's other nodes ({@link RedisStats}). */
    public io.gatehouse.cluster.SharedStats stats() {
        return new RedisStats(redis.commands.async(), scripts, keys.prefix(), deliveries.node(), replies);
    }

    @Override
    public void start(BrokerListener listener) {
        deliveries.start(listener);
        nodes.start();
    }

    @Override
    public CompletionStage<Publication> publish(ChannelName channel, String dataJson) {
        deliveries.listener();
        if (closed.get()) {
            return closedStage();
        }
        if (deliveries.backlog(channel) >= MAX_BACKLOG) {
            // Refused before an offset is taken: the publisher learns that nothing was published.
            return CompletableFuture.failedFuture(RefusalCode.RATE_LIMITED
                    .refusal("Channel " + channel + " has " + MAX_BACKLOG
                            + " publications waiting to be delivered on this node; publish more slowly")
                    .retryAfter(1000)
                    .asException());
        }
        Instant now = clock.instant();
        HistoryRetention kept = retention.apply(channel);
        CompletableFuture<Publication> stage = new CompletableFuture<>();
        long id = deliveries.publishes.open(stage);
        run(
                        Script.PUBLISH,
                        channel,
                        randomHex(16),
                        Integer.toString(kept.keepsAny() ? kept.size() : 0),
                        Long.toString(kept.keepsAny() ? kept.ttl().toMillis() : 0),
                        idleTtlMillis,
                        Long.toString(now.toEpochMilli()),
                        RedisMessages.publicationBody(now, dataJson),
                        keys.events(channel),
                        deliveries.origin(id))
                .whenComplete((reply, failure) -> replies.execute(() -> {
                    if (failure != null) {
                        deliveries.publishes.fail(id, unavailable(failure));
                    } else {
                        StreamPosition at = RedisReplies.position(reply);
                        deliveries.publishes.complete(
                                id, new Publication(channel.value(), at.offset(), at.epoch(), dataJson, now));
                    }
                }));
        return stage;
    }

    @Override
    public CompletionStage<StreamPosition> position(ChannelName channel) {
        if (closed.get()) {
            return closedStage();
        }
        return onReplyThread(run(Script.POSITION, channel, randomHex(16), idleTtlMillis), RedisReplies::position);
    }

    @Override
    public CompletionStage<HistoryPage> history(ChannelName channel, HistoryQuery query) {
        if (closed.get()) {
            return closedStage();
        }
        HistoryRetention kept = retention.apply(channel);
        int limit = kept.keepsAny() ? query.limit() : 0;
        long cutoff = kept.keepsAny() ? clock.millis() - kept.ttl().toMillis() : 0;
        CompletableFuture<List<Object>> read = run(
                Script.HISTORY,
                channel,
                randomHex(16),
                idleTtlMillis,
                Long.toString(query.hasSince() ? query.since() : -1),
                Integer.toString(limit),
                Long.toString(cutoff));
        return onReplyThread(read, reply -> RedisReplies.page(channel, reply, !query.hasSince()));
    }

    @Override
    public CompletionStage<Void> subscribe(ChannelName channel) {
        if (closed.get()) {
            return closedStage();
        }
        ChannelCursor cursor = deliveries.watch(channel);
        // Done once where the channel stood is read too: without it (lost to a cut just after
        // subscribing) a recovery after a reconnect vouches for nothing and continuity is lost.
        CompletableFuture<Void> ready = subscriptions
                .subscribe(channel)
                .thenCompose(v -> position(channel))
                .thenAccept(cursor::floor);
        return onReplyThread(ready, v -> null);
    }

    @Override
    public void unsubscribe(ChannelName channel) {
        if (!closed.get()) {
            deliveries.unwatch(channel);
            subscriptions.unsubscribe(channel);
        }
    }

    @Override
    public CompletionStage<Integer> addPresence(ChannelName channel, PresenceClient client, boolean announce) {
        if (closed.get()) {
            return closedStage();
        }
        return onReplyThread(presence.add(channel, client, announce), count -> count);
    }

    @Override
    public CompletionStage<Integer> removePresence(
            ChannelName channel, String connectionId, PresenceClient announceAs) {
        if (closed.get()) {
            return closedStage();
        }
        return onReplyThread(presence.remove(channel, connectionId, announceAs), left -> left);
    }

    @Override
    public CompletionStage<List<PresenceClient>> presence(ChannelName channel) {
        if (closed.get()) {
            return closedStage();
        }
        return onReplyThread(presence.read(channel), RedisPresence::decode);
    }

    @Override
    public CompletionStage<Void> publishPresenceEvent(PresenceEvent event) {
        deliveries.listener();
        if (closed.get()) {
            return closedStage();
        }
        String message = RedisDeliveries.presenceMessage(event);
        return onReplyThread(
                redis.commands
                        .async()
                        .publish(keys.events(event.channel()), message)
                        .toCompletableFuture(),
                receivers -> null);
    }

    @Override
    public CompletionStage<Void> publishControl(ControlCommand command) {
        deliveries.listener();
        if (closed.get()) {
            return closedStage();
        }
        CompletableFuture<Void> stage = new CompletableFuture<>();
        long id = deliveries.controls.open(stage);
        controlLog
                .append(deliveries.controlMessage(id, command), RedisControlLog.keeps(command))
                .whenComplete((logId, failure) -> replies.execute(
                        () -> deliveries.controls.settle(id, null, failure == null ? null : unavailable(failure))));
        return stage;
    }

    @Override
    public boolean spansNodes() {
        return true;
    }

    @Override
    public boolean isReachable() {
        return !closed.get() && redis.isOpen();
    }

    /** Ends delivery, fails what is still waiting for Redis, and closes the connections. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        nodes.close();
        deliveries.close();
        redis.close();
        replies.shutdown();
        IllegalStateException closing = new IllegalStateException("the broker is closed");
        deliveries.publishes.failAll(closing);
        deliveries.controls.failAll(closing);
    }

    /** The script's stage, failed at once if Lettuce refuses the command outright. */
    private CompletableFuture<List<Object>> run(Script script, ChannelName channel, String... args) {
        try {
            return scripts.run(script, new String[] {keys.meta(channel), keys.history(channel)}, args);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@code answer} decoded by {@code decode} on a reply thread, Redis failures as BACKEND_UNAVAILABLE. */
    private <T, R> CompletionStage<R> onReplyThread(CompletableFuture<T> answer, Function<T, R> decode) {
        CompletableFuture<R> stage = new CompletableFuture<>();
        answer.whenComplete((value, failure) -> replies.execute(() -> {
            if (failure != null) {
                stage.completeExceptionally(unavailable(failure));
                return;
            }
            try {
                stage.complete(decode.apply(value));
            } catch (RuntimeException e) {
                stage.completeExceptionally(e);
            }
        }));
        return stage;
    }

    private static RefusalException unavailable(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RefusalException r) {
            return r;
        }
        if (cause instanceof RedisCommandExecutionException) {
            // Redis answered with an error (out of memory, a script that failed): worth an operator's look.
            LOG.warn("Redis refused a broker command: {}", cause.getMessage());
        } else {
            LOG.debug("A broker command did not reach Redis", cause);
        }
        return RefusalCode.BACKEND_UNAVAILABLE
                .refusal(UNAVAILABLE_HINT)
                .retryAfter(1000)
                .asException();
    }

    private static <T> CompletionStage<T> closedStage() {
        return CompletableFuture.failedFuture(new IllegalStateException("the broker is closed"));
    }

    /** Random hex digits: node ids, and epochs (opaque, unlikely to repeat; a script uses one only for a channel that has none). */
    private static String randomHex(int digits) {
        return String.format("%016x", ThreadLocalRandom.current().nextLong()).substring(16 - digits);
    }
}
