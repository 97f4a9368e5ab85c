package io.gatehouse.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.testing.TcpRelay;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker contract on the {@link RedisBroker}, against the real Redis at 127.0.0.1:6379 (.ci/run
 * starts it), each test under a key prefix of its own; plus what only Redis shows: a new epoch
 * exactly when keys are lost, several nodes on one Redis, and the key layout. Without Redis these
 * tests fail; they never skip.
 */
class RedisBrokerTest extends BrokerContract {
    static final int REDIS_PORT = 6379;
    static final String REDIS_URL = "redis://127.0.0.1:" + REDIS_PORT;
    /** presence.node_ttl's default: no node of these tests stops beating for that long. */
    static final Duration NODE_TTL = Duration.ofSeconds(30);

    private static RedisClient adminClient;
    private static StatefulRedisConnection<String, String> adminConnection;

    /** This test's keys and pub/sub channels start with it: tests never see each other's. */
    private final String prefix =
            "gatehouse-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    private final List<RedisBroker> others = new ArrayList<>();

    @BeforeAll
    static void connectToRedis() {
        try {
            adminClient = RedisClient.create(REDIS_URL);
            adminConnection = adminClient.connect();
            adminConnection.sync().ping();
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "Redis is not reachable at 127.0.0.1:6379, and the RedisBroker tests need it: start it as"
                            + " .ci/run does (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''"
                            + " --appendonly no)",
                    e);
        }
    }

    @AfterAll
    static void disconnectFromRedis() {
        if (adminClient != null) {
            adminClient.shutdown();
        }
    }

    @Override
    protected Broker newBroker(Clock clock, Function<ChannelName, HistoryRetention> retention) {
        return new RedisBroker(REDIS_URL, prefix, NODE_TTL, clock, retention);
    }

    /** Another node of this test's deployment: same Redis, same prefix, its own listener. */
    private RedisBroker node(BrokerListener listener) {
        return node(REDIS_URL, listener);
    }

    /** Another node of this test's deployment, reaching Redis at {@code url} (a relay the test can cut). */
    private RedisBroker node(String url, BrokerListener listener) {
        RedisBroker b = new RedisBroker(url, prefix, NODE_TTL, clock, this::retention);
        b.start(listener);
        others.add(b);
        return b;
    }

    @AfterEach
    void closeOthersAndDeleteThisTestsKeys() {
        others.forEach(RedisBroker::close);
        deleteKeysOfThisTest();
    }

    private static RedisCommands<String, String> redis() {
        return adminConnection.sync();
    }

    /** Every key under this test's prefix. */
    private Set<String> keysOfThisTest() {
        Set<String> found = new TreeSet<>();
        ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
        KeyScanCursor<String> cursor = redis().scan(match);
        found.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = redis().scan(ScanCursor.of(cursor.getCursor()), match);
            found.addAll(cursor.getKeys());
        }
        return found;
    }

    /** What FLUSHALL, or a Redis restarted without persistence, does to this test's keys. */
    private void deleteKeysOfThisTest() {
        Set<String> keys = keysOfThisTest();
        if (!keys.isEmpty()) {
            redis().del(keys.toArray(String[]::new));
        }
    }

    private String key(ChannelName channel, String kind) {
        return prefix + "ch:{" + channel.value() + "}:" + kind;
    }

    // --- Epochs: new exactly when what the offsets numbered is lost

    @Test
    void deletingAChannelsKeysGivesItANewEpochAndOffsetsFromOne() {
        ChannelName news = channel("news", KEEP_100_FOR_AN_HOUR);
        List<Publication> before = publish(news, 3);
        recorder.awaitPublications(3);

        deleteKeysOfThisTest();

        StreamPosition after = position(news);
        assertThat(after.offset()).isZero();
        assertThat(after.epoch()).isNotEqualTo(before.get(0).epoch());
        assertThat(history(news, HistoryQuery.after(0)).publications()).isEmpty();
        Publication first = publish(news, "{}");
        assertThat(first.position()).isEqualTo(new StreamPosition(1, after.epoch()));
        assertThat(recorder.awaitPublications(1)).containsExactly(first);
    }

    @Test
    void losingOnlyTheHistoryStreamGivesANewEpochToo() {
        ChannelName news = channel("news", KEEP_100_FOR_AN_HOUR);
        Publication old = publish(news, 2).get(1);

        redis().del(key(news, "history")); // an eviction of that one key

        StreamPosition after = position(news);
        assertThat(after.offset()).isZero();
        assertThat(after.epoch()).isNotEqualTo(old.epoch());
        assertThat(publish(news, "{}").position()).isEqualTo(new StreamPosition(1, after.epoch()));
    }

    @Test
    void aChannelStateWrittenByAnotherRedisProcessGetsANewEpoch() {
        ChannelName news = channel("news", KEEP_100_FOR_AN_HOUR);
        Publication old = publish(news, 3).get(2);
        // As after a restart from a snapshot or a failover: the same keys, an older state, and
        // another process. Its offsets after 2 were handed out already; they must not be again.
        redis().hset(key(news, "meta"), Map.of("offset", "2", "run", "0000000000000000000000000000000000000000"));

        Publication next = publish(news, "{\"n\":\"after the restart\"}");
        assertThat(next.offset()).isEqualTo(1);
        assertThat(next.epoch()).isNotEqualTo(old.epoch());
        assertThat(history(news, HistoryQuery.after(0)).publications()).containsExactly(next);
        // and the same process goes on with that epoch
        assertThat(publish(news, "{}").position()).isEqualTo(new StreamPosition(2, next.epoch()));
    }

    @Test
    void losingOnlyTheMetaHashGivesANewEpochAndTheOldHistoryGoesWithIt() {
        ChannelName news = channel("news", KEEP_100_FOR_AN_HOUR);
        Publication old = publish(news, 2).get(1);

        redis().del(key(news, "meta"));

        Publication fresh = publish(news, "{\"n\":\"fresh\"}");
        assertThat(fresh.offset()).isEqualTo(1);
        assertThat(fresh.epoch()).isNotEqualTo(old.epoch());
        assertThat(history(news, HistoryQuery.after(0)).publications()).containsExactly(fresh);
    }

    @Test
    void historyThatExpiredByItsTtlLeavesTheEpochAndOffsetsAlone() {
        ChannelName brief = channel("brief", new HistoryRetention(10, Duration.ofMillis(300)));
        Publication p = publish(brief, "{}");

        // Redis's own expiry, in real time: the stream was kept for its ttl and not lost.
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> redis().exists(key(brief, "history")) == 0);

        assertThat(position(brief)).isEqualTo(p.position());
        assertThat(publish(brief, "{}").position()).isEqualTo(new StreamPosition(2, p.epoch()));
    }

    // --- Several nodes on one Redis

    @Test
    void aPublishOnOneNodeReachesTheOtherAndBothShareOffsetsAndHistory() {
        ChannelName news = channel("news", KEEP_100_FOR_AN_HOUR);
        RecordingListener atB = new RecordingListener();
        RedisBroker b = node(atB);
        await(b.subscribe(news));

        Publication onA = publish(news, "{\"from\":\"a\"}");
        Publication onB = await(b.publish(news, "{\"from\":\"b\"}"));

        assertThat(onB.position()).isEqualTo(new StreamPosition(2, onA.epoch()));
        assertThat(recorder.awaitPublications(2)).containsExactly(onA, onB);
        assertThat(atB.awaitPublications(2)).containsExactly(onA, onB);
        assertThat(await(b.history(news, HistoryQuery.after(0))).publications()).containsExactly(onA, onB);
    }

    @Test
    void aNodeReceivesAChannelOnlyWhileItIsSubscribed() {
        ChannelName news = channel("news", HistoryRetention.NONE);
        RecordingListener atB = new RecordingListener();
        RedisBroker b = node(atB);

        publish(news, "{}");
        recorder.awaitPublications(1);
        atB.assertNoMorePublications();

        await(b.subscribe(news));
        Publication second = publish(news, "{}");
        assertThat(atB.awaitPublications(1)).containsExactly(second);

        b.unsubscribe(news);
        await(b.subscribe(channel("other", HistoryRetention.NONE))); // after the UNSUBSCRIBE, on the same connection
        publish(news, "{}");
        recorder.awaitPublications(2);
        atB.assertNoMorePublications();
    }

    @Test
    void controlCommandsReachEveryNodeInTheOrderOneNodePublishedThem() {
        RecordingListener atB = new RecordingListener();
        node(atB);
        List<ControlCommand> commands = new ArrayList<>();
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ControlCommand c = new ControlCommand.DisconnectConnection("c-" + i, RefusalCode.DISCONNECTED.refusal());
            commands.add(c);
            sent.add(broker.publishControl(c).toCompletableFuture());
        }
        sent.forEach(BrokerContract::await);

        for (RecordingListener node : List.of(recorder, atB)) {
            List<ControlCommand> received = new ArrayList<>();
            for (int i = 0; i < commands.size(); i++) {
                received.add(node.awaitControl());
            }
            assertThat(received).isEqualTo(commands);
        }
    }

    @Test
    void presenceListsTheClientsOfEveryNodeAndItsEventsCrossNodes() {
        ChannelName room = channel("room", HistoryRetention.NONE);
        RecordingListener atB = new RecordingListener();
        RedisBroker b = node(atB);
        await(b.subscribe(room));
        PresenceClient alice = new PresenceClient("c-1", "id-alice", "alice", T0);
        PresenceClient bob = new PresenceClient("c-2", "id-bob", null, T0.plusSeconds(1));

        await(broker.addPresence(room, alice));
        await(b.addPresence(room, bob));
        PresenceEvent join = new PresenceEvent(room, PresenceEvent.Kind.JOIN, bob);
        await(b.publishPresenceEvent(join));

        assertThat(await(broker.presence(room))).containsExactly(alice, bob);
        assertThat(await(b.presence(room))).containsExactly(alice, bob);
        assertThat(recorder.awaitPresenceEvent()).isEqualTo(join);
        assertThat(atB.awaitPresenceEvent()).isEqualTo(join);

        await(b.removePresence(room, "c-1"));
        assertThat(await(broker.presence(room))).containsExactly(bob);
    }

    // --- This node's own publications

    @Test
    void thisNodesListenerReceivesAPublicationOnlyAfterItsPublishCompleted() {
        ChannelName news = channel("news", HistoryRetention.NONE);
        List<CompletableFuture<Publication>> stages = new CopyOnWriteArrayList<>();
        AtomicInteger early = new AtomicInteger();
        recorder.duringPublication(p -> {
            synchronized (stages) { // the publisher has added the stage of p by now
                boolean completed = stages.stream()
                        .anyMatch(s -> s.isDone()
                                && !s.isCompletedExceptionally()
                                && s.join().equals(p));
                if (!completed) {
                    early.incrementAndGet();
                }
            }
        });

        for (int i = 0; i < 300; i++) {
            synchronized (stages) {
                stages.add(broker.publish(news, "{\"n\":" + i + "}").toCompletableFuture());
            }
        }

        recorder.awaitPublications(300);
        assertThat(early)
                .as("publications received before their publish completed")
                .hasValue(0);
    }

    // --- Redis itself

    @Test
    void keysLiveUnderThePrefixAndExpireNeverBeforeTheirHistory() {
        RedisBroker b = new RedisBroker(REDIS_URL, prefix, NODE_TTL, clock, this::retention, Duration.ofMinutes(1));
        b.start(new RecordingListener());
        others.add(b);
        ChannelName kept = channel("kept", KEEP_100_FOR_AN_HOUR);
        ChannelName bare = channel("bare", HistoryRetention.NONE);

        await(b.publish(kept, "{}"));
        await(b.publish(bare, "{}"));
        await(b.addPresence(kept, new PresenceClient("c-1", "id-alice", "alice", T0)));

        String node = b.clientName().substring("gatehouse-node-".length());
        assertThat(keysOfThisTest())
                .containsExactlyInAnyOrder(
                        key(kept, "meta"),
                        key(kept, "history"),
                        key(kept, "presence"),
                        key(kept, "users"), // connections per user, emptied with the presence
                        key(bare, "meta"),
                        prefix + "nodes", // the heartbeats: entries leave when their node is reaped
                        prefix + "node:" + node + ":presence"); // emptied as its entries go
        assertThat(redis().pttl(key(kept, "history")))
                .isPositive()
                .isLessThanOrEqualTo(Duration.ofHours(1).toMillis());
        assertThat(redis().pexpiretime(key(kept, "meta")))
                .as("a meta hash never expires before its history")
                .isGreaterThanOrEqualTo(redis().pexpiretime(key(kept, "history")));
        assertThat(redis().pttl(key(bare, "meta")))
                .isPositive()
                .isLessThanOrEqualTo(Duration.ofMinutes(1).toMillis());
    }

    @Test
    void aRedisThatForgotTheScriptsIsSentThemAgain() {
        ChannelName news = channel("news", KEEP_100_FOR_AN_HOUR);
        Publication first = publish(news, "{}");

        redis().scriptFlush(); // as after a Redis restart; only costs other brokers one EVAL each

        assertThat(publish(news, "{}").position()).isEqualTo(new StreamPosition(2, first.epoch()));
        assertThat(offsets(history(news, HistoryQuery.newest(10)).publications()))
                .containsExactly(1L, 2L);
    }

    @Test
    void aPubSubConnectionThatRedisDroppedIsReconnectedAndMissesNoPublication() {
        ChannelName news = channel("news", new HistoryRetention(100, Duration.ofMinutes(5)));
        RecordingListener received = new RecordingListener();
        RedisBroker b = node(received);
        await(b.subscribe(news));
        await(broker.publish(news, "{\"n\":1}"));
        assertThat(received.awaitPublications(1))
                .extracting(Publication::offset)
                .containsExactly(1L);
        String pubSubClient = redis().clientList()
                .lines()
                .filter(l -> l.contains(" name=" + b.clientName() + " ") && !l.contains(" sub=0 "))
                .map(l -> l.substring(l.indexOf("id=") + 3, l.indexOf(' ')))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no pub/sub connection named " + b.clientName()));

        redis().clientKill(KillArgs.Builder.id(Long.parseLong(pubSubClient)));
        // Some of these are published while it is down, some after it is back: each arrives once.
        for (int n = 2; n <= 6; n++) {
            await(broker.publish(news, "{\"n\":" + n + "}"));
        }

        assertThat(received.awaitPublications(5))
                .extracting(Publication::offset)
                .containsExactly(2L, 3L, 4L, 5L, 6L);
        received.assertNoMorePublications();
        assertThat(b.isReachable()).isTrue();
    }

    @Test
    void whatWasPublishedWhileThePubSubConnectionWasDownIsDeliveredInOrderBeforeNewerOnes() throws Exception {
        ChannelName news = channel("news", new HistoryRetention(100, Duration.ofMinutes(5)));
        RecordingListener received = new RecordingListener();
        try (TcpRelay relay = new TcpRelay(REDIS_PORT)) {
            RedisBroker b = node("redis://127.0.0.1:" + relay.port(), received);
            await(b.subscribe(news));
            await(broker.publish(news, "{\"n\":1}"));
            assertThat(received.awaitPublications(1))
                    .extracting(Publication::offset)
                    .containsExactly(1L);

            relay.cut();
            Awaitility.await().atMost(TIMEOUT).until(() -> !b.isReachable());
            for (int n = 2; n <= 5; n++) {
                await(broker.publish(news, "{\"n\":" + n + "}")); // published through another node
            }
            relay.resume();
            Awaitility.await().atMost(TIMEOUT).until(b::isReachable);
            await(broker.publish(news, "{\"n\":6}"));

            List<Object> delivered = received.awaitDeliveries(6);
            assertThat(delivered).allMatch(d -> d instanceof Publication);
            assertThat(delivered).extracting(d -> ((Publication) d).offset()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            received.assertNothingDeliveredFor(Duration.ofMillis(300)); // no duplicate, no signal
        }
    }

    @Test
    void anEpochThatChangedWhileThePubSubConnectionWasDownIsSignalledNotSkipped() throws Exception {
        ChannelName news = channel("news", new HistoryRetention(100, Duration.ofMinutes(5)));
        RecordingListener received = new RecordingListener();
        try (TcpRelay relay = new TcpRelay(REDIS_PORT)) {
            RedisBroker b = node("redis://127.0.0.1:" + relay.port(), received);
            await(b.subscribe(news));
            String oldEpoch = await(broker.publish(news, "{\"n\":1}")).epoch();
            assertThat(received.awaitPublications(1))
                    .extracting(Publication::offset)
                    .containsExactly(1L);

            relay.cut();
            Awaitility.await().atMost(TIMEOUT).until(() -> !b.isReachable());
            deleteKeysOfThisTest(); // the channel's history is lost: the next publish starts a new epoch
            String newEpoch = await(broker.publish(news, "{\"n\":\"a\"}")).epoch();
            await(broker.publish(news, "{\"n\":\"b\"}"));
            assertThat(newEpoch).isNotEqualTo(oldEpoch);
            relay.resume();
            Awaitility.await().atMost(TIMEOUT).until(b::isReachable);

            // Told first; then only what came after the recovery: nothing of the lost stretch silently.
            List<Object> delivered = received.awaitDeliveries(2); // offset 1, before the cut
            assertThat(delivered.get(0)).isInstanceOf(Publication.class);
            assertThat(delivered.get(1)).isEqualTo(new ContinuityLost(news));
            await(broker.publish(news, "{\"n\":\"c\"}"));
            List<Object> after = received.awaitDeliveries(1);
            assertThat(after).singleElement().isInstanceOf(Publication.class);
            Publication c = (Publication) after.get(0);
            assertThat(c.epoch()).isEqualTo(newEpoch);
            assertThat(c.offset()).isEqualTo(3L);
            received.assertNothingDeliveredFor(Duration.ofMillis(300));
        }
    }

    @Test
    void aRedisThatCannotBeReachedFailsTheConstructorLoudly() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() ->
                        new RedisBroker("redis://127.0.0.1:" + closedPort, prefix, NODE_TTL, clock, this::retention))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be reached");
    }

    @Test
    void aKeyPrefixWithAGlobCharacterIsRefused() {
        assertThatThrownBy(() -> new RedisBroker(REDIS_URL, "gatehouse*", NODE_TTL, clock, this::retention))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key prefix");
    }

    @Test
    void closeEndsDeliveryIsIdempotentAndLeavesTheBrokerUnreachable() throws Exception {
        ChannelName news = channel("news", HistoryRetention.NONE);
        CompletableFuture<Thread> deliveredOn = new CompletableFuture<>();
        recorder.duringPublication(p -> deliveredOn.complete(Thread.currentThread()));
        publish(news, "{}");
        Thread delivery = deliveredOn.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(delivery.getName()).startsWith("gatehouse-delivery-");

        broker.close();

        delivery.join(TIMEOUT.toMillis());
        assertThat(delivery.isAlive()).isFalse();
        assertThat(broker.isReachable()).isFalse();
        assertThat(broker.publish(news, "{}").toCompletableFuture()).isCompletedExceptionally();
        assertThat(broker.publishControl(new ControlCommand.DisconnectUser("alice", RefusalCode.DISCONNECTED.refusal()))
                        .toCompletableFuture())
                .isCompletedExceptionally();
        broker.close(); // idempotent
    }
}
