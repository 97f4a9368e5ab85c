package io.gatehouse.auth;

import io.gatehouse.protocol.RefusalCode;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads where Argon2 runs (logins), apart from the blocking pool that serves token, session
 * and API-key lookups: a flood of wrong passwords then costs at most these threads, and a valid
 * token is still checked at once (issue 10, point 7). {@code threads} (max(1, cores/2) in a server)
 * work at a time and at most {@code queue} wait; past that a login is refused at once with 503
 * BACKEND_UNAVAILABLE and a Retry-After, which is cheaper for us than a queue that grows.
 */
public final class PasswordHashingPool implements AutoCloseable {
    /** What a refused login is told to wait. */
    static final long RETRY_AFTER_MILLIS = 1000;

    private final ThreadPoolExecutor executor;

    public PasswordHashingPool(int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, "gatehouse-hashing-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Half the cores the JVM may use, at least one: hashing must leave CPU for everything else. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /**
     * Runs {@code work} on a hashing thread. Never blocks: when the queue is full the stage fails at
     * once with BACKEND_UNAVAILABLE (retry after {@value #RETRY_AFTER_MILLIS} ms).
     */
    public <T> CompletionStage<T> submit(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException full) {
            return CompletableFuture.failedFuture(RefusalCode.BACKEND_UNAVAILABLE
                    .refusal("Too many logins are being checked; retry after Retry-After seconds")
                    .retryAfter(RETRY_AFTER_MILLIS)
                    .asException());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
