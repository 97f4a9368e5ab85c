package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RedisTestKeys;
import io.gatehouse.testing.TcpRelay;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes, A and B, on the real Redis at 127.0.0.1:6379 (.ci/run starts it) with one
 * {@code broker.url} and one key prefix, random per run, so they are one deployment of their own
 * (SPEC §10): publications, history, control commands and presence cross from one node to the
 * other. Without Redis the nodes start degraded and every test fails; none skips.
 */
class RedisNodesTest {
    static final int REDIS_PORT = 6379;
    static final String REDIS_URL = "redis://127.0.0.1:" + REDIS_PORT + "/0";
    static final String PREFIX =
            "gatehouse-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    static TestGatehouse nodeA;
    static TestGatehouse nodeB;
    static String publishKeyB;
    static String adminKeyA;
    static String adminKeyB;

    @BeforeAll
    static void startTwoNodes() {
        nodeA = node(REDIS_URL).start();
        nodeB = node(REDIS_URL).start();
        publishKeyB = "apikey " + nodeB.apiKey("publish");
        adminKeyA = "apikey " + nodeA.apiKey("admin");
        adminKeyB = "apikey " + nodeB.apiKey("admin");
    }

    @AfterAll
    static void stopNodesAndDeleteTheirKeys() {
        for (TestGatehouse node : new TestGatehouse[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        deleteKeysOfThisRun();
    }

    /** A node of this run's deployment on {@code redisUrl}: feed keeps history, room presence. */
    static TestGatehouse node(String redisUrl) {
        return new TestGatehouse()
                .with(ConfigKey.BROKER_URL.key(), redisUrl)
                .with(ConfigKey.BROKER_PREFIX.key(), PREFIX)
                .with("channels.namespaces.feed.history_size", 100)
                .with("channels.namespaces.room", Map.of("presence", true, "join_leave", false));
    }

    /** Publishes {@code n} (a number as the data) to {@code channel} through node B's HTTP API. */
    static JsonNode publishOnB(String channel, int n) {
        TestGatehouse.Reply r = nodeB.post(
                "/api/v1/publish",
                "{\"channel\":\"" + channel + "\",\"data\":" + n + "}",
                "Authorization",
                publishKeyB);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        return r.body();
    }

    @Test
    void bothNodesAreReadyOnTheRedisBroker() {
        for (TestGatehouse node : List.of(nodeA, nodeB)) {
            TestGatehouse.Reply r = node.get("/ready");
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            assertThat(r.body().path("status").asText()).isEqualTo("ready");
        }
    }

    @Test
    void aSubscriberOnNodeAGetsWhatIsPublishedThroughNodeBInOffsetOrder() {
        try (WsRecorder onA = nodeA.connectAs("ada")) {
            String epoch = onA.subscribe("feed:cross").path("epoch").asText();
            for (int i = 1; i <= 5; i++) {
                JsonNode published = publishOnB("feed:cross", i);
                assertThat(published.path("offset").asLong()).isEqualTo(i);
                assertThat(published.path("epoch").asText()).isEqualTo(epoch);
            }
            for (int i = 1; i <= 5; i++) {
                JsonNode m = onA.awaitType("message");
                assertThat(m.path("channel").asText()).isEqualTo("feed:cross");
                assertThat(m.path("offset").asLong()).isEqualTo(i);
                assertThat(m.path("epoch").asText()).isEqualTo(epoch);
                assertThat(m.path("data").asInt()).isEqualTo(i);
            }
        }
    }

    @Test
    void aClientThatLeavesNodeAAndComesBackOnNodeBRecoversWhatItMissed() {
        String epoch;
        long last;
        try (WsRecorder onA = nodeA.connectAs("bea")) {
            epoch = onA.subscribe("feed:moving").path("epoch").asText();
            publishOnB("feed:moving", 1);
            publishOnB("feed:moving", 2);
            onA.awaitType("message");
            last = onA.awaitType("message").path("offset").asLong();
            assertThat(last).isEqualTo(2);
        }
        publishOnB("feed:moving", 3);
        publishOnB("feed:moving", 4);
        try (WsRecorder onB = nodeB.connectAs("bea")) {
            JsonNode subscribed = onB.subscribeSince("feed:moving", last, epoch);
            assertThat(subscribed.path("recovered").asBoolean())
                    .as(subscribed.toString())
                    .isTrue();
            assertThat(subscribed.path("epoch").asText()).isEqualTo(epoch);
            assertThat(subscribed.path("offset").asLong()).isEqualTo(4);
            List<Long> offsets = new ArrayList<>();
            List<Integer> data = new ArrayList<>();
            subscribed.path("publications").forEach(p -> {
                offsets.add(p.path("offset").asLong());
                data.add(p.path("data").asInt());
            });
            assertThat(offsets).containsExactly(3L, 4L);
            assertThat(data).containsExactly(3, 4);

            // and it is live again on B: the next publication follows with no gap
            TestGatehouse.Reply r = nodeA.post(
                    "/api/v1/publish",
                    "{\"channel\":\"feed:moving\",\"data\":5}",
                    "Authorization",
                    "apikey " + nodeA.apiKey("publish"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(onB.awaitType("message").path("offset").asLong()).isEqualTo(5);
        }
    }

    @Test
    void disconnectingAUserThroughNodeBClosesItsSocketOnNodeA() {
        try (WsRecorder onA = nodeA.connectAs("cid");
                WsRecorder otherOnA = nodeA.connectAs("dee")) {
            TestGatehouse.Reply r = nodeB.post("/api/v1/users/cid/disconnect", "{}", "Authorization", adminKeyB);
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            // Nothing else would close it: the close and its code show the command crossed nodes.
            long answered = System.nanoTime();
            assertThat(onA.awaitClose("cid's socket on node A", answered))
                    .isEqualTo(new WsRecorder.Close(4410, "DISCONNECTED"));
            otherOnA.assertAlive("dee's socket on node A");
        }
    }

    @Test
    void unsubscribingAndSubscribingAUserThroughNodeBReachesItsTabsOnNodeA() {
        try (WsRecorder onA = nodeA.connectAs("eve");
                WsRecorder otherOnA = nodeA.connectAs("fay")) {
            onA.subscribe("feed:members");
            otherOnA.subscribe("feed:members");
            TestGatehouse.Reply r = nodeB.post(
                    "/api/v1/users/eve/unsubscribe", "{\"channel\":\"feed:members\"}", "Authorization", publishKeyB);
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            JsonNode ended = onA.awaitType("unsubscribed");
            assertThat(ended.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            publishOnB("feed:members", 1);
            assertThat(otherOnA.awaitType("message").path("data").asInt()).isEqualTo(1);
            onA.assertAlive("eve, unsubscribed before the publication");

            r = nodeB.post("/api/v1/users/eve/subscribe", "{\"channel\":\"feed:news\"}", "Authorization", publishKeyB);
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            assertThat(onA.awaitType("subscribed").path("channel").asText()).isEqualTo("feed:news");
            publishOnB("feed:news", 2);
            assertThat(onA.awaitType("message").path("data").asInt()).isEqualTo(2);
        }
    }

    @Test
    void aPublishRetriedOnTheOtherNodeWithTheSameKeyIsDeliveredOnce() {
        try (WsRecorder onA = nodeA.connectAs("gil")) {
            onA.subscribe("feed:once");
            String body = "{\"channel\":\"feed:once\",\"data\":7,\"idempotency_key\":\"job-7-" + PREFIX + "\"}";
            TestGatehouse.Reply first = nodeB.post("/api/v1/publish", body, "Authorization", publishKeyB);
            TestGatehouse.Reply retry =
                    nodeA.post("/api/v1/publish", body, "Authorization", "apikey " + nodeA.apiKey("publish"));
            assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(200);
            assertThat(retry.status()).as(String.valueOf(retry.body())).isEqualTo(200);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(onA.awaitType("message").path("data").asInt()).isEqualTo(7);
            onA.assertAlive("gil, with one message");
        }
    }

    @Test
    void aUserWithTabsOnBothNodesJoinsOnceAndLeavesOnceForTheOthers() {
        Map<String, Object> room = Map.of("presence", true, "join_leave", true);
        try (TestGatehouse a =
                        node(REDIS_URL).with("channels.namespaces.hall", room).start();
                TestGatehouse b =
                        node(REDIS_URL).with("channels.namespaces.hall", room).start();
                WsRecorder watcher = a.connectAs("hank")) {
            watcher.subscribe("hall:1");
            List<WsRecorder> tabs = new ArrayList<>();
            try {
                for (TestGatehouse node : List.of(a, b, b)) {
                    WsRecorder tab = node.connectAs("ivy");
                    tab.subscribe("hall:1");
                    tabs.add(tab);
                }
                assertThat(watcher.awaitType("join")
                                .path("client")
                                .path("user_id")
                                .asText())
                        .isEqualTo("ivy");
                tabs.get(0).close();
                tabs.get(1).close();
                watcher.send("{\"type\":\"presence\",\"channel\":\"hall:1\",\"id\":1}");
                JsonNode reply = watcher.awaitMessage();
                assertThat(reply.path("type").asText())
                        .as("no second join came before the reply: " + reply)
                        .isEqualTo("presence");
                assertThat(reply.path("users").toString()).contains("\"user_id\":\"ivy\"");
                tabs.get(2).close();
                assertThat(watcher.awaitType("leave")
                                .path("client")
                                .path("user_id")
                                .asText())
                        .isEqualTo("ivy");
                watcher.assertQuiet(Duration.ofMillis(300));
            } finally {
                tabs.forEach(WsRecorder::close);
            }
        }
    }

    @Test
    void aTaskChangedThroughNodeBIsPushedToItsOwnerOnNodeA() {
        try (WsRecorder onA = nodeA.connectAs("tasker");
                WsRecorder otherOnA = nodeA.connectAs("bystander")) {
            TestGatehouse.Reply created = nodeB.post(
                    "/api/v1/tasks",
                    "{\"owner\":\"tasker\",\"kind\":\"import\",\"title\":\"Import\",\"total\":10}",
                    "Authorization",
                    publishKeyB);
            assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
            String id = created.body().path("id").asText();
            JsonNode pushed = onA.awaitType("task_progress");
            assertThat(pushed.path("task").path("id").asText())
                    .as(pushed.toString())
                    .isEqualTo(id);

            TestGatehouse.Reply progress =
                    nodeB.post("/api/v1/tasks/" + id + "/progress", "{\"done\":4}", "Authorization", publishKeyB);
            assertThat(progress.status()).as(String.valueOf(progress.body())).isEqualTo(200);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(onA.awaitType("task_progress")
                                    .path("task")
                                    .path("done")
                                    .asLong())
                            .isEqualTo(4));
            otherOnA.assertQuiet(Duration.ofMillis(300));
        }
    }

    @Test
    void presenceListsTheClientsOfBothNodes() {
        try (WsRecorder onA = nodeA.connectWith(Jwts.hs256(Jwts.claims("eve").claim("name", "Eve")));
                WsRecorder onB = nodeB.connectWith(Jwts.hs256(Jwts.claims("fox").claim("name", "Fox")))) {
            String idA = onA.established().path("connection_id").asText();
            String idB = onB.established().path("connection_id").asText();
            onA.subscribe("room:both");
            onB.subscribe("room:both");

            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(httpPresence(nodeA)).containsExactlyInAnyOrder(idA, idB);
                assertThat(httpPresence(nodeB)).containsExactlyInAnyOrder(idA, idB);
            });
            onA.send("{\"type\":\"presence\",\"id\":7,\"channel\":\"room:both\"}");
            JsonNode reply = onA.awaitMessage();
            assertThat(reply.path("id").asInt()).as(reply.toString()).isEqualTo(7);
            List<String> users = new ArrayList<>();
            reply.path("clients").forEach(c -> users.add(c.path("user_id").asText()));
            assertThat(users).containsExactlyInAnyOrder("eve", "fox");

            onB.unsubscribe("room:both");
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(httpPresence(nodeA)).containsExactly(idA));
        }
    }

    /** The connection ids {@code GET /api/v1/channels/room:both/presence} lists on {@code node}. */
    static List<String> httpPresence(TestGatehouse node) {
        TestGatehouse.Reply r =
                node.get("/api/v1/channels/room:both/presence", "Authorization", node == nodeA ? adminKeyA : adminKeyB);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.body().path("clients").forEach(c -> ids.add(c.path("connection_id").asText()));
        return ids;
    }

    @Test
    void readyNamesTheBrokerWhileRedisCannotBeReachedAndRecoversWithIt() {
        try (TcpRelay relay = new TcpRelay(REDIS_PORT);
                TestGatehouse nodeC = node("redis://127.0.0.1:" + relay.port() + "/0")) {
            nodeC.start();
            assertThat(nodeC.get("/ready").status()).isEqualTo(200);

            relay.cut();
            // Degraded, not 503 (SPEC §6): Redis is shared, and a 503 from every node would empty the pool.
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                TestGatehouse.Reply r = nodeC.get("/ready");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body().path("status").asText()).isEqualTo("degraded");
                assertThat(r.body().path("unreachable").toString()).contains("broker.url redis://127.0.0.1:");
            });
            assertThat(readiness(nodeA)).as("a node whose Redis is up").isEqualTo("200 ready");

            relay.resume();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(readiness(nodeC)).isEqualTo("200 ready"));
        }
    }

    @Test
    void aSubscriberOnANodeCutOffFromRedisGetsWhatWasPublishedMeanwhileInOrder() {
        try (TcpRelay relay = new TcpRelay(REDIS_PORT);
                TestGatehouse nodeC = node("redis://127.0.0.1:" + relay.port() + "/0")) {
            nodeC.start();
            try (WsRecorder onC = nodeC.connectAs("gus")) {
                String epoch = onC.subscribe("feed:cut").path("epoch").asText();
                publishOnB("feed:cut", 1);
                assertThat(onC.awaitType("message").path("offset").asLong()).isEqualTo(1);

                cutOff(relay, nodeC);
                publishOnB("feed:cut", 2);
                publishOnB("feed:cut", 3);
                reconnect(relay, nodeC);
                publishOnB("feed:cut", 4);

                for (int i = 2; i <= 4; i++) {
                    JsonNode m = onC.awaitType("message");
                    assertThat(m.path("offset").asLong()).as(m.toString()).isEqualTo(i);
                    assertThat(m.path("epoch").asText()).isEqualTo(epoch);
                    assertThat(m.path("data").asInt()).isEqualTo(i);
                }
                onC.assertAlive("gus's socket on node C");
            }
        }
    }

    @Test
    void aSubscriberWhoseChannelLostItsHistoryWhileItsNodeWasCutOffIsToldAndNotRecovered() {
        try (TcpRelay relay = new TcpRelay(REDIS_PORT);
                TestGatehouse nodeC = node("redis://127.0.0.1:" + relay.port() + "/0")) {
            nodeC.start();
            String epoch;
            try (WsRecorder onC = nodeC.connectAs("hal")) {
                epoch = onC.subscribe("feed:lost").path("epoch").asText();
                publishOnB("feed:lost", 1);
                assertThat(onC.awaitType("message").path("offset").asLong()).isEqualTo(1);

                cutOff(relay, nodeC);
                deleteKeysOf("feed:lost"); // it loses its history: its next publish starts a new epoch
                publishOnB("feed:lost", 2);
                reconnect(relay, nodeC);

                assertThat(onC.awaitClose().code()).isEqualTo(4503); // BACKEND_UNAVAILABLE: reconnect
            }
            try (WsRecorder again = nodeC.connectAs("hal")) {
                JsonNode subscribed = again.subscribeSince("feed:lost", 1, epoch);
                assertThat(subscribed.path("recovered").asBoolean())
                        .as(subscribed.toString())
                        .isFalse();
                assertThat(subscribed.path("epoch").asText()).isNotEqualTo(epoch);
            }
        }
    }

    /** Deletes {@code channel}'s keys, as an eviction or a restart without persistence would. */
    static void deleteKeysOf(String channel) {
        RedisClient client = RedisClient.create(REDIS_URL);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().del(PREFIX + "ch:{" + channel + "}:meta", PREFIX + "ch:{" + channel + "}:history");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aTokenRevokedWhileItsNodeWasCutOffFromRedisClosesItsSocketOnceRedisIsBack() {
        try (TcpRelay relay = new TcpRelay(REDIS_PORT);
                TestGatehouse nodeC =
                        node("redis://127.0.0.1:" + relay.port() + "/0").start()) {
            String token = nodeC.opaqueToken("rev");
            try (WsRecorder socket = nodeC.connectWith(token)) {
                cutOff(relay, nodeC);
                // The revocation is journalled; the disconnect cannot go through Redis now.
                TestGatehouse.Reply r = nodeC.delete(
                        "/api/v1/users/rev/tokens/" + token.substring(0, 12),
                        "Authorization",
                        "apikey " + nodeC.apiKey("admin"));
                assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
                reconnect(relay, nodeC);
                // Sent again once the broker takes it: the socket closes, not only new handshakes fail.
                long back = System.nanoTime();
                assertThat(socket.awaitClose("the revoked token's socket", back).code())
                        .isEqualTo(RefusalCode.TOKEN_REVOKED.closeCode());
            }
        }
    }

    /** Cuts {@code node} off from Redis and waits until it notices (its /ready says degraded). */
    static void cutOff(TcpRelay relay, TestGatehouse node) {
        relay.cut();
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(readiness(node)).isEqualTo("200 degraded"));
    }

    /** Lets {@code node} reach Redis again and waits until it has (its /ready says ready). */
    static void reconnect(TcpRelay relay, TestGatehouse node) {
        relay.resume();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(readiness(node)).isEqualTo("200 ready"));
    }

    /** {@code GET /ready}'s status code and {@code status} field: "200 ready", "200 degraded". */
    static String readiness(TestGatehouse node) {
        TestGatehouse.Reply r = node.get("/ready");
        return r.status() + " " + r.body().path("status").asText();
    }

    /** Deletes every key under this run's prefix, as RedisBrokerTest does after each test. */
    static void deleteKeysOfThisRun() {
        RedisTestKeys.deleteUnder(PREFIX);
    }
}
