package io.gatehouse.broker;

import io.gatehouse.cluster.IdempotencyKeys;
import io.gatehouse.cluster.SharedLimits;
import io.gatehouse.cluster.SharedStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The shared limits, statistics and idempotency keys of a {@link DeferredRedisBroker}: those of its connected
 * {@link RedisBroker} once there is one; before that every call fails (so the limits decide on
 * this node's count alone, as while Redis is away) and nothing is written.
 */
final class RedisShared {
    private RedisShared() {}

    private static <T> CompletionStage<T> notConnected() {
        return CompletableFuture.failedFuture(new BrokerUnreachableException("Redis was not reached yet", null));
    }

    static SharedLimits limits(Supplier<RedisBroker> connected) {
        return new SharedLimits() {
            @Override
            public String node() {
                RedisBroker b = connected.get();
                return b == null ? "" : b.limits().node();
            }

            @Override
            public CompletionStage<Wait> buckets(List<BucketStep> steps) {
                RedisBroker b = connected.get();
                return b == null ? notConnected() : b.limits().buckets(steps);
            }

            @Override
            public CompletionStage<Integer> acquire(List<Count> counts) {
                RedisBroker b = connected.get();
                return b == null ? notConnected() : b.limits().acquire(counts);
            }

            @Override
            public CompletionStage<Void> release(List<Count> counts) {
                RedisBroker b = connected.get();
                return b == null ? notConnected() : b.limits().release(counts);
            }
        };
    }

    static IdempotencyKeys idempotencyKeys(Supplier<RedisBroker> connected) {
        return new IdempotencyKeys() {
            @Override
            public CompletionStage<String> claim(String key, Duration hold) {
                RedisBroker b = connected.get();
                return b == null ? notConnected() : b.idempotencyKeys().claim(key, hold);
            }

            @Override
            public CompletionStage<Void> settle(String key, String result, Duration window) {
                RedisBroker b = connected.get();
                return b == null ? notConnected() : b.idempotencyKeys().settle(key, result, window);
            }

            @Override
            public CompletionStage<Void> release(String key) {
                RedisBroker b = connected.get();
                return b == null ? notConnected() : b.idempotencyKeys().release(key);
            }
        };
    }

    static SharedStats stats(Supplier<RedisBroker> connected) {
        return new SharedStats() {
            @Override
            public void put(String nodeSampleJson) {
                RedisBroker b = connected.get();
                if (b != null) {
                    b.stats().put(nodeSampleJson);
                }
            }

            @Override
            public CompletionStage<List<String>> alive() {
                RedisBroker b = connected.get();
                return b == null ? notConnected() : b.stats().alive();
            }
        };
    }
}
