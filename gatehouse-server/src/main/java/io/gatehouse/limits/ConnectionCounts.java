package io.gatehouse.limits;

import io.gatehouse.cluster.SharedLimits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The open-connection counts that hold across nodes ({@code limits.connections_per_user},
 * {@code limits.connections_per_ip} and duplicate {@code reject}, docs/redis.md "Limits"): a
 * connection is counted once placed and released when it closes. They fail open: when Redis does
 * not answer, the node's own limits decide, and the counts err low, never high, so that no user is
 * refused on every node for a count left behind.
 */
public final class ConnectionCounts {
    private final SharedLimits shared;
    private final FailOpen failOpen;

    private final Duration releaseRetry;

    ConnectionCounts(SharedLimits shared, FailOpen failOpen) {
        this(shared, failOpen, RELEASE_RETRY);
    }

    /** Counts whose releases Redis did not take are sent again after {@code releaseRetry} (for tests). */
    ConnectionCounts(SharedLimits shared, FailOpen failOpen, Duration releaseRetry) {
        this.shared = shared;
        this.failOpen = failOpen;
        this.releaseRetry = releaseRetry;
    }

    /**
     * Counts one more connection in each of {@code counts} across nodes, all or none: none full when
     * counted (or when the shared store did not answer: fail open, counting nothing), else the index
     * of the first count at its maximum. At once, counting nothing, on a single node.
     */
    public CompletionStage<Acquired> place(List<SharedLimits.Count> counts) {
        if (shared == null || counts.isEmpty()) {
            return CompletableFuture.completedFuture(new Acquired(List.of(), -1));
        }
        CompletableFuture<Integer> answer;
        try {
            answer = shared.acquire(counts).toCompletableFuture();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Integer> acquired = answer;
        Acquired notCounted = new Acquired(List.of(), -1);
        return failOpen.decide(
                        "connections",
                        () -> acquired.thenApply(i -> new Acquired(i < 0 ? counts : List.of(), i)),
                        notCounted)
                .thenApply(a -> {
                    if (a == notCounted) {
                        // Decided without Redis (it timed out): an answer that still comes and counted
                        // the connection is taken back, or it would stay counted for nothing; so is
                        // one that fails, as Redis may have run it all the same (a release of what
                        // was not counted takes nothing below zero: counts err low, never high).
                        acquired.whenComplete((i, failure) -> {
                            if (failure != null || i < 0) {
                                release(counts);
                            }
                        });
                    }
                    return a;
                });
    }

    /**
     * What {@link #place} answered: {@code full} the index of the count at its maximum
     * (-1: none), {@code counted} what must be released when the connection closes.
     */
    public record Acquired(List<SharedLimits.Count> counted, int full) {}

    /**
     * The connection that {@code counted} counted closed ({@link #place}); nothing waits
     * for it. A release Redis does not take is sent again every {@link #RELEASE_RETRY}, up to
     * {@link #RELEASE_ATTEMPTS} times: a count left behind would refuse that user, IP or client
     * instance on every node until its hash expires.
     */
    public void release(List<SharedLimits.Count> counted) {
        if (shared == null || counted.isEmpty()) {
            return;
        }
        release(counted, RELEASE_ATTEMPTS);
    }

    private void release(List<SharedLimits.Count> counted, int attempts) {
        try {
            shared.release(counted).whenComplete((v, failure) -> {
                if (failure != null) {
                    failOpen.failedOpen("connections", failure);
                    if (attempts > 1) {
                        CompletableFuture.delayedExecutor(releaseRetry.toMillis(), TimeUnit.MILLISECONDS)
                                .execute(() -> release(counted, attempts - 1));
                    }
                }
            });
        } catch (RuntimeException e) {
            failOpen.failedOpen("connections", e);
        }
    }

    /** How long a release Redis did not take waits before it is sent again. */
    static final Duration RELEASE_RETRY = Duration.ofSeconds(5);

    /** How many times a release is sent at most (about 2 minutes of retries). */
    static final int RELEASE_ATTEMPTS = 25;
}
