package io.gatehouse.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.cluster.SharedLimits;
import io.gatehouse.cluster.SharedLimits.Bucket;
import io.gatehouse.cluster.SharedLimits.BucketStep;
import io.gatehouse.cluster.SharedLimits.Count;
import io.gatehouse.cluster.SharedLimits.Step;
import io.gatehouse.history.HistoryRetention;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scripts of {@link RedisLimits} on the real Redis at 127.0.0.1:6379, through two brokers of
 * one deployment (this test's own key prefix): buckets are all or none and give back no more than
 * their burst; counts are all or none, per node, and a node's count stops counting once its
 * liveness has expired.
 */
class RedisLimitsTest {
    static final Bucket THREE = new Bucket("test", "1.2.3.4", 0.001, 3);
    static final Bucket ONE = new Bucket("test", "5.6.7.8", 0.001, 1);

    private final String prefix =
            "gatehouse-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private RedisBroker nodeA;
    private RedisBroker nodeB;
    private RedisClient admin;

    @BeforeEach
    void twoNodes() {
        nodeA = new RedisBroker(
                RedisBrokerTest.REDIS_URL,
                prefix,
                Duration.ofSeconds(30),
                Clock.systemUTC(),
                c -> HistoryRetention.NONE);
        nodeB = new RedisBroker(
                RedisBrokerTest.REDIS_URL,
                prefix,
                Duration.ofSeconds(30),
                Clock.systemUTC(),
                c -> HistoryRetention.NONE);
        admin = RedisClient.create(RedisBrokerTest.REDIS_URL);
    }

    @AfterEach
    void closeAndDeleteKeys() {
        nodeA.close();
        nodeB.close();
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            List<String> keys = c.sync().keys(prefix + "*");
            if (!keys.isEmpty()) {
                c.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            admin.shutdown();
        }
    }

    static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBucketsTokensAreSharedByTheNodesAndAGiveBackNeverPassesTheBurst() throws Exception {
        SharedLimits a = nodeA.limits();
        SharedLimits b = nodeB.limits();
        List<BucketStep> take = List.of(new BucketStep(Step.TAKE, THREE));
        assertThat(get(a.buckets(take)).passed()).isTrue();
        assertThat(get(b.buckets(take)).passed()).isTrue();
        assertThat(get(a.buckets(take)).passed()).isTrue();
        SharedLimits.Wait none = get(b.buckets(take));
        assertThat(none.passed()).isFalse();
        assertThat(none.refused()).isZero();
        assertThat(none.waitMillis()).isGreaterThan(0);

        for (int i = 0; i < 5; i++) {
            get(a.buckets(List.of(new BucketStep(Step.GIVE, THREE))));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(get(b.buckets(take)).passed())
                    .as("token %d of the burst", i)
                    .isTrue();
        }
        assertThat(get(b.buckets(take)).passed())
                .as("given back five, but the burst is three")
                .isFalse();
    }

    @Test
    void aCallOnSeveralBucketsTakesFromAllOrFromNone() throws Exception {
        SharedLimits a = nodeA.limits();
        assertThat(get(a.buckets(List.of(new BucketStep(Step.TAKE, ONE)))).passed())
                .isTrue();
        SharedLimits.Wait refused =
                get(a.buckets(List.of(new BucketStep(Step.TAKE, THREE), new BucketStep(Step.TAKE, ONE))));
        assertThat(refused.refused()).as("the second bucket is empty").isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(get(a.buckets(List.of(new BucketStep(Step.TAKE, THREE)))).passed())
                    .as("nothing was taken from the first bucket")
                    .isTrue();
        }
        assertThat(get(a.buckets(List.of(new BucketStep(Step.PEEK, THREE)))).passed())
                .isFalse();
    }

    @Test
    void countsAreAllOrNoneAndADeadNodesCountStopsCounting() throws Exception {
        SharedLimits a = nodeA.limits();
        SharedLimits b = nodeB.limits();
        Count user = new Count("user", "ann", 2);
        Count ip = new Count("ip", "1.2.3.4", 10);
        alive(a, Duration.ofMinutes(1));
        alive(b, Duration.ofMinutes(1));
        assertThat(get(b.acquire(List.of(ip, user)))).isEqualTo(-1);
        assertThat(get(b.acquire(List.of(ip, user)))).isEqualTo(-1);
        assertThat(get(a.acquire(List.of(ip, user)))).as("ann has 2 on B").isEqualTo(1);
        assertThat(get(a.acquire(List.of(new Count("ip", "1.2.3.4", 3)))))
                .as("the refused acquire counted nothing: 2 for the address, room for a third")
                .isEqualTo(-1);

        alive(b, Duration.ofSeconds(-1));
        assertThat(get(a.acquire(List.of(ip, user))))
                .as("B is dead: its two do not count")
                .isEqualTo(-1);

        alive(b, Duration.ofMinutes(1));
        get(b.release(List.of(ip, user)));
        get(b.release(List.of(ip, user)));
        assertThat(get(a.acquire(List.of(ip, user)))).as("A's one and this one").isEqualTo(-1);
        assertThat(get(b.acquire(List.of(ip, user)))).as("ann has 2 on A now").isEqualTo(1);
    }

    /** Node liveness as the heartbeat writes it (these brokers are not started, so they do not beat). */
    private void alive(SharedLimits node, Duration forAnother) {
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            RedisCommands<String, String> redis = c.sync();
            List<String> time = redis.time();
            long now = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
            redis.zadd(prefix + "nodes", now + forAnother.toMillis(), node.node());
        }
    }
}
