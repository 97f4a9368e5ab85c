package io.gatehouse.broker;

import static io.gatehouse.broker.BrokerContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.broker.BrokerContract.RecordingListener;
import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.testing.MutableClock;
import io.gatehouse.testing.TcpRelay;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What goes wrong between a {@link RedisBroker} and Redis, and what the broker's delivery path
 * must do about it (issue 15), against the real Redis at 127.0.0.1:6379 under a key prefix of each
 * test's own; through a {@link TcpRelay} where a connection must be cut. Never skips.
 */
class RedisBrokerFaultsTest {
    static final String REDIS_URL = "redis://127.0.0.1:6379";
    static final HistoryRetention KEPT = new HistoryRetention(100, Duration.ofMinutes(5));

    private static RedisClient adminClient;
    private static StatefulRedisConnection<String, String> adminConnection;

    private final String prefix =
            "gatehouse-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void connectToRedis() {
        adminClient = RedisClient.create(REDIS_URL);
        adminConnection = adminClient.connect();
        adminConnection.sync().ping();
    }

    @AfterAll
    static void disconnectFromRedis() {
        adminClient.shutdown();
    }

    @AfterEach
    void closeAndDeleteThisTestsKeys() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        List<String> keys = redis().keys(prefix + "*");
        if (!keys.isEmpty()) {
            redis().del(keys.toArray(String[]::new));
        }
    }

    private static RedisCommands<String, String> redis() {
        return adminConnection.sync();
    }

    /** A node of this test's deployment on {@code url}, delivering to {@code listener}. */
    private RedisBroker node(String url, RecordingListener listener) {
        RedisBroker b = new RedisBroker(url, prefix, RedisBrokerTest.NODE_TTL, clock, channel -> KEPT);
        b.start(listener);
        toClose.add(b);
        return b;
    }

    private static ChannelName channel(String name) {
        return ChannelName.parse(name).orElseThrow();
    }

    private String key(ChannelName channel, String kind) {
        return prefix + "ch:{" + channel.value() + "}:" + kind;
    }

    private long subscribers(ChannelName channel) {
        Map<String, Long> counts = redis().pubsubNumsub(key(channel, "events"));
        return counts.values().iterator().next();
    }

    @Test
    void aSubscribeIsDoneOnlyOnceWhereTheChannelStoodIsKnown() {
        ChannelName feed = channel("feed");
        RedisBroker a = node(REDIS_URL, new RecordingListener());
        StreamPosition before = await(a.publish(feed, "1")).position();

        await(a.subscribe(feed));

        // A connection cut from here on cannot leave the recovery without a start: it reads on
        // from this position instead of telling the subscribers continuity was lost (the personal
        // channel's user was closed with BACKEND_UNAVAILABLE when the read had not come back).
        assertThat(a.deliveries.cursor(feed).startRecovery().after()).isEqualTo(before);
    }

    @Test
    void aPublishWhoseHistoryEntryCannotBeWrittenGivesOutNoOffset() {
        ChannelName news = channel("news");
        RedisBroker a = node(REDIS_URL, new RecordingListener());
        StreamPosition first = await(a.publish(news, "1")).position();
        // The history stream replaced by a string: the script's XADD fails (WRONGTYPE).
        redis().del(key(news, "history"));
        redis().set(key(news, "history"), "not a stream");

        assertThatThrownBy(() -> await(a.publish(news, "2"))).isInstanceOf(AssertionError.class);
        assertThat(redis().hget(key(news, "meta"), "offset"))
                .as("no offset was given out: none is a gap that no history fills")
                .isEqualTo("1");
        assertThat(await(a.position(news))).isEqualTo(first);
    }

    @Test
    void aChannelUnsubscribedWhileThePubSubConnectionWasDownIsNotSubscribedAgainOnReconnect() throws Exception {
        ChannelName gone = channel("gone");
        ChannelName kept = channel("kept");
        RecordingListener atB = new RecordingListener();
        try (TcpRelay relay = new TcpRelay(6379)) {
            RedisBroker b = node("redis://127.0.0.1:" + relay.port(), atB);
            await(b.subscribe(gone));
            await(b.subscribe(kept));
            assertThat(subscribers(gone)).isEqualTo(1);

            relay.cut();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !b.isReachable());
            b.unsubscribe(gone); // its last subscriber left while Redis could not be told
            relay.resume();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(b::isReachable);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> subscribers(kept) == 1);

            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(subscribers(gone))
                            .as("the node's subscription to a channel it left")
                            .isZero());
            RedisBroker a = node(REDIS_URL, new RecordingListener());
            await(a.publish(gone, "1"));
            await(a.publish(kept, "2"));
            assertThat(atB.awaitPublications(1)).extracting(p -> p.channel()).containsExactly("kept");
            atB.assertNoMorePublications();
        }
    }

    private static ControlCommand disconnect(String user) {
        return new ControlCommand.DisconnectUser(user, RefusalCode.TOKEN_REVOKED.refusal());
    }

    @Test
    void controlCommandsPublishedWhileANodesPubSubConnectionWasDownReachItInOrderOnceItIsBack() throws Exception {
        RecordingListener atB = new RecordingListener();
        try (TcpRelay relay = new TcpRelay(6379)) {
            RedisBroker b = node("redis://127.0.0.1:" + relay.port(), atB);
            RedisBroker a = node(REDIS_URL, new RecordingListener());
            await(a.publishControl(disconnect("before")));
            assertThat(atB.awaitControl()).isEqualTo(disconnect("before"));

            relay.cut();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !b.isReachable());
            await(a.publishControl(disconnect("during1")));
            await(a.publishControl(disconnect("during2")));
            relay.resume();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(b::isReachable);
            await(a.publishControl(disconnect("after")));

            assertThat(atB.awaitDeliveries(4))
                    .as("what b's listener received, in order")
                    .containsExactly(
                            disconnect("before"), disconnect("during1"), disconnect("during2"), disconnect("after"));
            atB.assertNothingDeliveredFor(Duration.ofMillis(300)); // none twice
        }
    }

    @Test
    void aTasksPushReachesEveryNodeButIsNotKeptInTheControlLog() {
        RecordingListener atB = new RecordingListener();
        RedisBroker a = node(REDIS_URL, new RecordingListener());
        node(REDIS_URL, atB);
        await(a.publishControl(disconnect("kept")));
        ControlCommand push = new ControlCommand.TaskChanged("owner-1", "{\"id\":\"t1\",\"done\":4}");
        for (int i = 0; i < 3; i++) {
            await(a.publishControl(push));
        }
        await(a.publishControl(disconnect("kept too")));

        assertThat(atB.awaitDeliveries(5))
                .containsExactly(disconnect("kept"), push, push, push, disconnect("kept too"));
        assertThat(redis().xlen(prefix + "control:log"))
                .as("only the disconnects are kept for nodes that were cut off")
                .isEqualTo(2);
    }
}
