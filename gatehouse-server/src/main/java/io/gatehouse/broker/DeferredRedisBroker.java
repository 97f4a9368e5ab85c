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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis broker of a node, which starts whether or not Redis answers (issue 15; docs/redis.md
 * "Start-up and readiness"). Redis is shared by every node: a node that would not start without it
 * would, with every other node restarted meanwhile, refuse every user.
 *
 * <p>The {@link RedisBroker} is built at once, as before; if Redis cannot be reached (or does not
 * answer), the node starts degraded with one WARN line naming {@code broker.url}, and a thread of
 * its own ({@value #THREAD_NAME}) builds it again after {@link #FIRST_RETRY}, doubling up to
 * {@link #LAST_RETRY}, until it succeeds. Until then every stage fails with
 * {@link RefusalCode#BACKEND_UNAVAILABLE} (retry after {@link #RETRY_AFTER_MILLIS} ms) and
 * {@link #isReachable()} is false, as a connected broker does while its Redis is away; from then
 * on every call goes to the connected broker, which reconnects by itself.
 *
 * <p>No subscription can succeed before that, so the connected broker starts with none to restore.
 */
public final class DeferredRedisBroker implements Broker {
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LAST_RETRY = Duration.ofSeconds(10);
    static final long RETRY_AFTER_MILLIS = 1000;
    static final String THREAD_NAME = "gatehouse-redis-connect";

    private static final Logger LOG = LoggerFactory.getLogger(DeferredRedisBroker.class);

    private final Supplier<RedisBroker> connect;
    private final String address;
    /** Builds the broker again after a failed start; null when the first attempt succeeded. */
    private final ScheduledExecutorService retries;

    /** Null until a broker was built; written once, under this. */
    private volatile RedisBroker connected;
    /** Guarded by this. */
    private BrokerListener listener;
    /** Guarded by this. */
    private boolean closed;

    /**
     * A broker on the Redis at {@code url}; the arguments are {@link RedisBroker}'s. Waits for the
     * first attempt (bounded by {@link RedisConnections#COMMAND_TIMEOUT} per step: at start-up, not
     * on an event loop). A {@code url} that is no Redis URL fails with an IllegalArgumentException.
     */
    public static DeferredRedisBroker connect(
            String url,
            String keyPrefix,
            Duration nodeTtl,
            Clock clock,
            Function<ChannelName, HistoryRetention> retention) {
        return new DeferredRedisBroker(
                () -> new RedisBroker(url, keyPrefix, nodeTtl, clock, retention), RedisConnections.address(url));
    }

    /** {@code address} names the Redis that {@code connect} builds a broker on, without a password. */
    DeferredRedisBroker(Supplier<RedisBroker> connect, String address) {
        this.connect = connect;
        this.address = address;
        RedisBroker first = null;
        try {
            first = connect.get();
        } catch (BrokerUnreachableException e) {
            LOG.warn(
                    "{}. Starting degraded: /ready answers \"degraded\", publishes and subscribes answer"
                            + " BACKEND_UNAVAILABLE until Redis answers; trying again every {} s at most",
                    e.getMessage(),
                    LAST_RETRY.toSeconds());
        }
        connected = first;
        if (first != null) {
            retries = null;
            return;
        }
        retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
        retry(FIRST_RETRY);
    }

    /** {@code broker.url redis://HOST:PORT/DB}: where the broker is, without user and password. */
    public String address() {
        return address;
    }

    /** The limits shared with the other nodes: this node decides alone until Redis was reached ({@link RedisShared}). */
    public io.gatehouse.cluster.SharedLimits limits() {
        return RedisShared.limits(() -> connected);
    }

    /** On Redis once it was reached ({@link RedisShared}); until then every claim fails. */
    @Override
    public io.gatehouse.cluster.IdempotencyKeys idempotencyKeys() {
        return RedisShared.idempotencyKeys(() -> connected);
    }

    /** The statistics shared with the other nodes, once Redis was reached ({@link RedisShared}). */
    public io.gatehouse.cluster.SharedStats stats() {
        return RedisShared.stats(() -> connected);
    }

    private void retry(Duration after) {
        try {
            retries.schedule(() -> attempt(after), after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** On the retry thread: builds the broker, or schedules the next attempt. */
    private void attempt(Duration waited) {
        RedisBroker built;
        try {
            built = connect.get();
        } catch (RuntimeException e) {
            LOG.debug("Redis is still unreachable: {}", e.getMessage());
            Duration next = waited.multipliedBy(2);
            retry(next.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : next);
            return;
        }
        synchronized (this) {
            if (closed) {
                built.close();
                return;
            }
            if (listener != null) {
                built.start(listener);
            }
            connected = built;
        }
        retries.shutdown();
        LOG.info("{} answers: the broker is connected, this node is no longer degraded", address);
    }

    @Override
    public synchronized void start(BrokerListener listener) {
        this.listener = listener;
        if (connected != null) {
            connected.start(listener);
        }
    }

    @Override
    public CompletionStage<Publication> publish(ChannelName channel, String dataJson) {
        return whenConnected(b -> b.publish(channel, dataJson));
    }

    @Override
    public CompletionStage<StreamPosition> position(ChannelName channel) {
        return whenConnected(b -> b.position(channel));
    }

    @Override
    public CompletionStage<HistoryPage> history(ChannelName channel, HistoryQuery query) {
        return whenConnected(b -> b.history(channel, query));
    }

    @Override
    public CompletionStage<Void> subscribe(ChannelName channel) {
        return whenConnected(b -> b.subscribe(channel));
    }

    /** Before the broker exists no subscribe succeeded, so there is nothing to end. */
    @Override
    public void unsubscribe(ChannelName channel) {
        RedisBroker b = connected;
        if (b != null) {
            b.unsubscribe(channel);
        }
    }

    @Override
    public CompletionStage<Integer> addPresence(ChannelName channel, PresenceClient client, boolean announce) {
        return whenConnected(b -> b.addPresence(channel, client, announce));
    }

    @Override
    public CompletionStage<Integer> removePresence(
            ChannelName channel, String connectionId, PresenceClient announceAs) {
        return whenConnected(b -> b.removePresence(channel, connectionId, announceAs));
    }

    @Override
    public CompletionStage<List<PresenceClient>> presence(ChannelName channel) {
        return whenConnected(b -> b.presence(channel));
    }

    @Override
    public CompletionStage<Void> publishPresenceEvent(PresenceEvent event) {
        return whenConnected(b -> b.publishPresenceEvent(event));
    }

    @Override
    public CompletionStage<Void> publishControl(ControlCommand command) {
        return whenConnected(b -> b.publishControl(command));
    }

    /** {@code call} on the broker once it is connected; until then BACKEND_UNAVAILABLE at once. */
    private <T> CompletionStage<T> whenConnected(Function<RedisBroker, CompletionStage<T>> call) {
        RedisBroker b = connected;
        return b != null ? call.apply(b) : unavailable();
    }

    @Override
    public boolean spansNodes() {
        return true;
    }

    @Override
    public boolean isReachable() {
        RedisBroker b = connected;
        return b != null && b.isReachable();
    }

    /** Stops trying to connect (an attempt under way closes what it built) and closes the broker. Idempotent. */
    @Override
    public void close() {
        RedisBroker b;
        synchronized (this) {
            closed = true;
            b = connected;
        }
        if (retries != null) {
            retries.shutdownNow();
        }
        if (b != null) {
            b.close();
        }
    }

    private <T> CompletionStage<T> unavailable() {
        return CompletableFuture.failedFuture(RefusalCode.BACKEND_UNAVAILABLE
                .refusal("The broker (Redis) cannot be reached yet; retry shortly")
                .retryAfter(RETRY_AFTER_MILLIS)
                .asException());
    }
}
