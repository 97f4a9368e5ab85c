package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.cluster.SharedLimits;
import io.gatehouse.metrics.GatehouseMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The connection counts across nodes never leave a count behind that nothing releases: a count
 * whose answer came too late, or failed after Redis may have run it, is released, and a release
 * Redis did not take is sent again. (A store that answers late or fails on cue stands in for Redis
 * here: RedisNodeLimitsTest covers the counts on a real one.)
 */
class ConnectionCountsTest {
    private static final List<SharedLimits.Count> COUNTS = List.of(new SharedLimits.Count("user", "alice", 2));

    /** A store whose acquire answers with {@code acquire} and whose first {@code failingReleases} releases fail. */
    private static final class Store implements SharedLimits {
        final CompletableFuture<Integer> acquire = new CompletableFuture<>();
        final AtomicInteger releases = new AtomicInteger();
        final int failingReleases;

        Store(int failingReleases) {
            this.failingReleases = failingReleases;
        }

        @Override
        public String node() {
            return "test-node";
        }

        @Override
        public CompletionStage<Wait> buckets(List<BucketStep> steps) {
            return CompletableFuture.completedFuture(Wait.NONE);
        }

        @Override
        public CompletionStage<Integer> acquire(List<Count> counts) {
            return acquire;
        }

        @Override
        public CompletionStage<Void> release(List<Count> counts) {
            return releases.incrementAndGet() <= failingReleases
                    ? CompletableFuture.failedFuture(new IllegalStateException("Redis is down"))
                    : CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void aCountThatFailedAfterTheNodeDecidedWithoutItIsReleased() throws Exception {
        Store store = new Store(0);
        ConnectionCounts counts = new ConnectionCounts(store, new FailOpen(new GatehouseMetrics()));
        ConnectionCounts.Acquired placed =
                counts.place(COUNTS).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(placed.counted())
                .as("decided without Redis: nothing counted")
                .isEmpty();

        store.acquire.completeExceptionally(new IllegalStateException("command timed out")); // it may have run
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.releases.get() == 1);
    }

    @Test
    void aCountThatAnsweredLateIsReleasedAndOneRefusedIsNot() throws Exception {
        Store late = new Store(0);
        new ConnectionCounts(late, new FailOpen(new GatehouseMetrics()))
                .place(COUNTS)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        late.acquire.complete(-1); // counted, after the node went on without it
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> late.releases.get() == 1);

        Store refused = new Store(0);
        new ConnectionCounts(refused, new FailOpen(new GatehouseMetrics()))
                .place(COUNTS)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        refused.acquire.complete(0); // full: it counted nothing
        Thread.sleep(300);
        assertThat(refused.releases.get()).isZero();
    }

    @Test
    void aReleaseRedisDidNotTakeIsSentAgainUntilItIs() {
        Store store = new Store(2);
        GatehouseMetrics metrics = new GatehouseMetrics();
        new ConnectionCounts(store, new FailOpen(metrics), Duration.ofMillis(50)).release(COUNTS);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.releases.get() == 3);
        assertThat(metrics.failedOpenCount("connections")).isEqualTo(2);
    }
}
