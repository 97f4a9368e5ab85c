package io.gatehouse.limits;

import io.gatehouse.metrics.GatehouseMetrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a shared limit does when its store (Redis) fails or does not answer within
 * {@link #TIMEOUT}: the decision is taken on this node's count alone, which has already passed
 * (fail open: a Redis outage must not refuse every user), counted in
 * {@code gatehouse_limits_failed_open_total{limit}}, and logged at WARN at most once per
 * {@link #LOG_EVERY} with how many decisions failed open since the last line. Thread-safe.
 */
final class FailOpen {
    /** How long a shared decision may take before this node decides alone: an upgrade waits for it. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    static final Duration LOG_EVERY = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(FailOpen.class);

    private final GatehouseMetrics metrics;
    private final AtomicLong loggedAtNanos = new AtomicLong(System.nanoTime() - LOG_EVERY.toNanos());
    private final AtomicLong sinceLogged = new AtomicLong();

    FailOpen(GatehouseMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * {@code shared}'s answer, or {@code open} when it fails or takes longer than {@link #TIMEOUT}
     * ({@code limit} names the limit in the metric and the log). Never fails; a call that throws
     * fails open too.
     */
    <T> CompletionStage<T> decide(String limit, Supplier<CompletionStage<T>> shared, T open) {
        CompletableFuture<T> answer;
        try {
            answer = shared.get().toCompletableFuture();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).handle((value, failure) -> {
            if (failure == null) {
                return value;
            }
            failedOpen(limit, failure);
            return open;
        });
    }

    /** A shared step that answers nothing (a give-back, a release) failed: counted and logged the same way. */
    void failedOpen(String limit, Throwable failure) {
        metrics.failedOpen(limit);
        long missed = sinceLogged.incrementAndGet();
        long now = System.nanoTime();
        long last = loggedAtNanos.get();
        if (now - last >= LOG_EVERY.toNanos() && loggedAtNanos.compareAndSet(last, now)) {
            sinceLogged.addAndGet(-missed);
            LOG.warn(
                    "Limits shared across nodes are decided on this node alone: the broker (Redis) did not answer"
                            + " ({} decision(s) failed open since the last line, latest {}: {}); see"
                            + " gatehouse_limits_failed_open_total",
                    missed,
                    limit,
                    failure.toString());
        }
    }
}
