package io.gatehouse.broker;

import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.protocol.ChannelName;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * The recovery read of a {@link RedisBroker} after its pub/sub connection came back: what was
 * published on a subscribed channel while the connection was down reached no one, so once Redis
 * confirms the channel's subscription again (from then on every publication arrives live), the
 * channel's history after the last publication delivered is read and delivered, in the channel's
 * lane, before the live messages that arrived meanwhile ({@link ChannelCursor} holds them back).
 * If the epoch changed or the history no longer reaches back that far, the listener is told
 * instead ({@link BrokerListener#onContinuityLost}): nothing is skipped silently.
 */
final class RedisRecoveries {
    /** A read refused (the command connection is not back yet) is tried again after this. */
    static final Duration READ_RETRY = Duration.ofMillis(250);

    /** Reads tried before continuity counts as lost: a little more than a command timeout's worth. */
    static final int READ_ATTEMPTS = 24;

    private final RedisDeliveries deliveries;
    private final BiFunction<ChannelName, HistoryQuery, CompletionStage<HistoryPage>> history;
    private final BooleanSupplier closed;
    private final Executor retries;

    RedisRecoveries(
            RedisDeliveries deliveries,
            BiFunction<ChannelName, HistoryQuery, CompletionStage<HistoryPage>> history,
            BooleanSupplier closed,
            Executor threads) {
        this.deliveries = deliveries;
        this.history = history;
        this.closed = closed;
        this.retries = CompletableFuture.delayedExecutor(READ_RETRY.toMillis(), TimeUnit.MILLISECONDS, threads);
    }

    /** Redis confirmed {@code channel}'s subscription again after a reconnect: recover what was missed. */
    void resubscribed(ChannelName channel) {
        ChannelCursor cursor = deliveries.cursor(channel);
        if (cursor == null || closed.getAsBoolean()) {
            return;
        }
        ChannelCursor.Recovery recovery = cursor.startRecovery();
        if (recovery.after() == null) {
            // Where it stood is unknown (its position was not read yet): nothing can be vouched for.
            deliveries.recovered(channel, cursor, recovery, null);
            return;
        }
        read(channel, recovery.after().offset(), READ_ATTEMPTS)
                .whenComplete((page, failure) ->
                        deliveries.recovered(channel, cursor, recovery, failure == null ? page : null));
    }

    private CompletableFuture<HistoryPage> read(ChannelName channel, long after, int attemptsLeft) {
        return history.apply(channel, HistoryQuery.after(after))
                .toCompletableFuture()
                .exceptionallyCompose(failure -> {
                    if (attemptsLeft <= 1 || closed.getAsBoolean()) {
                        return CompletableFuture.failedFuture(failure);
                    }
                    return CompletableFuture.runAsync(() -> {}, retries)
                            .thenCompose(v -> read(channel, after, attemptsLeft - 1));
                });
    }
}
