package io.gatehouse.broker;

import static io.gatehouse.broker.BrokerContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.broker.BrokerContract.RecordingListener;
import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.testing.TcpRelay;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
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
 * Presence across the nodes of a Redis deployment when a node stops (presence.node_ttl): its
 * clients drop out of every presence once its heartbeat is a ttl old, each leave is reported on
 * one node only, and a node that was only cut off lists its clients again once it is back.
 */
class RedisNodePresenceTest {
    private static final Duration TTL = Duration.ofSeconds(2);
    /** Far more than a ttl and a beat: what the assertions wait for happens within about one ttl. */
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private static RedisClient adminClient;
    private static StatefulRedisConnection<String, String> admin;

    private final String prefix =
            "gatehouse-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final RedisKeys keys = new RedisKeys(prefix);
    private final ChannelName room = ChannelName.parse("room").orElseThrow();
    private final List<RedisBroker> nodes = new ArrayList<>();

    @BeforeAll
    static void connectToRedis() {
        try {
            adminClient = RedisClient.create(RedisBrokerTest.REDIS_URL);
            admin = adminClient.connect();
            admin.sync().ping();
        } catch (RuntimeException e) {
            throw new AssertionError("Redis is not reachable at 127.0.0.1:6379; these tests need it", e);
        }
    }

    @AfterAll
    static void disconnectFromRedis() {
        if (adminClient != null) {
            adminClient.shutdown();
        }
    }

    @AfterEach
    void closeNodesAndDeleteKeys() {
        nodes.forEach(RedisBroker::close);
        List<String> mine = redis().keys(prefix + "*");
        if (!mine.isEmpty()) {
            redis().del(mine.toArray(String[]::new));
        }
    }

    private static RedisCommands<String, String> redis() {
        return admin.sync();
    }

    private RedisBroker node(String url, RecordingListener listener) {
        RedisBroker b = new RedisBroker(url, prefix, TTL, Clock.systemUTC(), channel -> HistoryRetention.NONE);
        b.start(listener);
        nodes.add(b);
        return b;
    }

    private RedisBroker node(RecordingListener listener) {
        return node(RedisBrokerTest.REDIS_URL, listener);
    }

    private static PresenceClient client(String connection, String user, int second) {
        return new PresenceClient(connection, "id-" + user, user, T0.plusSeconds(second));
    }

    @Test
    void aDeadNodesClientsLeavePresenceAfterItsTtlAndEachLeaveIsReportedOnce() throws Exception {
        RecordingListener atA = new RecordingListener();
        RecordingListener atB = new RecordingListener();
        RecordingListener atC = new RecordingListener();
        RedisBroker a = node(atA);
        RedisBroker b = node(atB);
        RedisBroker c = node(atC);
        PresenceClient alice = client("c-1", "alice", 1);
        PresenceClient bob = client("c-2", "bob", 2);
        PresenceClient carol = client("c-3", "carol", 3);
        PresenceClient carolOnB = client("c-4", "carol", 4);
        await(a.addPresence(room, alice));
        await(b.addPresence(room, bob));
        await(a.addPresence(room, carol));
        assertThat(await(b.addPresence(room, carolOnB)))
                .as("carol's second connection")
                .isEqualTo(2);
        assertThat(await(c.presence(room))).containsExactly(alice, bob, carol, carolOnB);

        a.close(); // its heartbeat stops, as when the process is killed: nothing is removed on the way out
        long stopped = System.nanoTime();
        Awaitility.await().atMost(WAIT).until(() -> await(c.presence(room)).equals(List.of(bob, carolOnB)));
        Duration gone = Duration.ofNanos(System.nanoTime() - stopped);
        System.out.println("a dead node's clients left presence " + gone.toMillis() + " ms after its last beat at most"
                + " (ttl " + TTL.toMillis() + " ms)");

        List<Map.Entry<ChannelName, PresenceClient>> reported = new ArrayList<>();
        Awaitility.await().atMost(WAIT).until(() -> {
            reported.addAll(atB.drainExpired());
            reported.addAll(atC.drainExpired());
            return reported.size() >= 2;
        });
        atB.assertNoneExpiredFor(Duration.ofMillis(500));
        atC.assertNoneExpiredFor(Duration.ofMillis(500));
        assertThat(reported)
                .as("each of the dead node's entries reported once, on one node (left presence after %s)", gone)
                .containsExactlyInAnyOrder(Map.entry(room, alice), Map.entry(room, carol));
        Map<String, Integer> left = new java.util.HashMap<>(atB.connectionsLeftAfterExpiry);
        left.putAll(atC.connectionsLeftAfterExpiry);
        assertThat(left)
                .as("alice's only connection was her last; carol still has one on B")
                .isEqualTo(Map.of("c-1", 0, "c-3", 1));
        assertThat(await(b.presence(room))).containsExactly(bob, carolOnB);
        assertThat(redis().hkeys(keys.presence(room))).as("reaped from Redis").containsExactlyInAnyOrder("c-2", "c-4");
        assertThat(redis().exists(keys.nodePresence(nodeOf(a)))).isZero();
        assertThat(redis().zscore(keys.nodes(), nodeOf(a))).isNull();
        assertThat(redis().zscore(keys.reaping(), nodeOf(a))).isNull();
        assertThat(redis().zscore(keys.nodes(), nodeOf(b))).isNotNull();
    }

    @Test
    void aNodeThatWasOnlyCutOffListsItsClientsAgainOnceItsHeartbeatIsBack() throws Exception {
        RecordingListener atB = new RecordingListener();
        RedisBroker b = node(atB);
        PresenceClient alice = client("c-1", "alice", 1);
        PresenceClient bob = client("c-2", "bob", 2);
        try (TcpRelay relay = new TcpRelay(RedisBrokerTest.REDIS_PORT)) {
            RedisBroker a = node("redis://127.0.0.1:" + relay.port(), new RecordingListener());
            await(a.addPresence(room, alice));
            await(b.addPresence(room, bob));

            relay.cut();
            assertThat(atB.awaitExpired()).as("B reaps A, whose beats stopped").isEqualTo(Map.entry(room, alice));
            assertThat(await(b.presence(room))).containsExactly(bob);

            relay.resume();
            Awaitility.await().atMost(WAIT).until(() -> await(b.presence(room)).equals(List.of(alice, bob)));
            await(a.removePresence(room, "c-1"));
            assertThat(await(b.presence(room))).containsExactly(bob);
            assertThat(redis().exists(keys.nodePresence(nodeOf(a))))
                    .as("A's index emptied")
                    .isZero();
        }
    }

    @Test
    void aNodesIndexCountsItsEntriesPerChannelWhoeverRemovesThem() {
        RedisBroker a = node(new RecordingListener());
        RedisBroker b = node(new RecordingListener());
        ChannelName lobby = ChannelName.parse("lobby").orElseThrow();
        await(a.addPresence(room, client("c-1", "alice", 1)));
        await(a.addPresence(room, client("c-1", "alice", 1))); // listed again: counted once
        await(a.addPresence(room, client("c-2", "bob", 2)));
        await(a.addPresence(lobby, client("c-1", "alice", 1)));
        assertThat(redis().hgetall(keys.nodePresence(nodeOf(a)))).isEqualTo(Map.of("room", "2", "lobby", "1"));

        await(b.removePresence(room, "c-1")); // uncounted from the index of the node its entry names
        await(a.removePresence(lobby, "c-1"));
        await(a.removePresence(lobby, "c-1")); // gone already: nothing changes
        assertThat(redis().hgetall(keys.nodePresence(nodeOf(a)))).isEqualTo(Map.of("room", "1"));
        assertThat(redis().exists(keys.nodePresence(nodeOf(b)))).isZero();
    }

    private static String nodeOf(RedisBroker broker) {
        return broker.clientName().substring("gatehouse-node-".length());
    }
}
