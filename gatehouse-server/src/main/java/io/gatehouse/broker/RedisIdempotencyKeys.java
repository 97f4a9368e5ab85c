package io.gatehouse.broker;

import io.gatehouse.cluster.IdempotencyKeys;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The {@link IdempotencyKeys} of a deployment on Redis (docs/redis.md): key {@code PREFIX
 * idem:{KEY}}, claimed with {@code SET NX PX} (empty while pending), settled with {@code SET XX PX},
 * released with {@code DEL}. Stages complete on {@code replies}, never on a Lettuce thread.
 */
final class RedisIdempotencyKeys implements IdempotencyKeys {
    private final RedisAsyncCommands<String, String> commands;
    private final String prefix;
    private final Executor replies;

    RedisIdempotencyKeys(RedisAsyncCommands<String, String> commands, String prefix, Executor replies) {
        this.commands = commands;
        this.prefix = prefix;
        this.replies = replies;
    }

    private String key(String key) {
        return prefix + "idem:{" + key + "}";
    }

    @Override
    public CompletionStage<String> claim(String key, Duration hold) {
        String k = key(key);
        try {
            return commands.set(k, PENDING, SetArgs.Builder.nx().px(hold.toMillis()))
                    .thenCompose(ok -> "OK".equals(ok)
                            ? CompletableFuture.completedFuture((String) null)
                            // Another claim holds it; gone meanwhile (expired, released) reads as pending:
                            // the caller asks again.
                            : commands.get(k).thenApply(v -> v == null ? PENDING : v))
                    .toCompletableFuture()
                    .thenApplyAsync(v -> v, replies);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // Lettuce refused it outright (disconnected)
        }
    }

    @Override
    public CompletionStage<Void> settle(String key, String result, Duration window) {
        try {
            return commands.set(key(key), result, SetArgs.Builder.xx().px(window.toMillis()))
                    .toCompletableFuture()
                    .thenApplyAsync(ok -> (Void) null, replies);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Void> release(String key) {
        try {
            return commands.del(key(key)).toCompletableFuture().thenApplyAsync(n -> (Void) null, replies);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
