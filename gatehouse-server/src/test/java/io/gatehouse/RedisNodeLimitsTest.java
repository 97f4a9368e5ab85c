package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.broker.DeferredRedisBroker;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.LoopbackHttp;
import io.gatehouse.testing.TcpRelay;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits that hold across nodes (issue 15; docs/redis.md, "Limits"): nodes A and B share the
 * real Redis at 127.0.0.1:6379 and a key prefix of this run, with small limits, so that what one
 * node counted refuses on the other. Each per-IP test uses a loopback source address of its own
 * (127.0.0.N), so that the tests do not spend each other's buckets.
 */
class RedisNodeLimitsTest {
    static final String PREFIX = RedisNodesTest.PREFIX + "limits:";
    static final Map<String, Object> SMALL = Map.of("rate", 0.001, "burst", 3);

    static TestGatehouse nodeA;
    static TestGatehouse nodeB;

    @BeforeAll
    static void startTwoNodes() {
        nodeA = node(RedisNodesTest.REDIS_URL, PREFIX).start(); // each node's heartbeat lists it as alive
        nodeB = node(RedisNodesTest.REDIS_URL, PREFIX).start();
    }

    @AfterAll
    static void stopNodesAndDeleteTheirKeys() {
        for (TestGatehouse node : new TestGatehouse[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        RedisNodesTest.deleteKeysOfThisRun();
    }

    /** A node of a deployment under {@code prefix} with small limits and duplicate_session_policy reject. */
    static TestGatehouse node(String redisUrl, String prefix) {
        return new TestGatehouse()
                .with(ConfigKey.BROKER_URL.key(), redisUrl)
                .with(ConfigKey.BROKER_PREFIX.key(), prefix)
                // beats every 200 s: a node this test takes for dead stays so while it looks
                .with(ConfigKey.PRESENCE_NODE_TTL.key(), "10m")
                .with(ConfigKey.LIMITS_CONNECTIONS_PER_USER.key(), 2)
                .with(ConfigKey.LIMITS_DUPLICATE_SESSION_POLICY.key(), "reject")
                .with(ConfigKey.LIMITS_UPGRADES_PER_IP.key(), SMALL)
                .with(ConfigKey.LIMITS_AUTH_FAILURES_PER_IP.key(), SMALL)
                .with(ConfigKey.LIMITS_LOGIN_FAILURES_PER_ACCOUNT.key(), Map.of("rate", 0.001, "burst", 2));
    }

    /** A socket of {@code token} naming its client {@code instance}, as it ends: established or closed. */
    static WsRecorder connect(TestGatehouse node, String token, String instance) {
        return WsRecorder.connect(node.ws("instance=" + instance), "Authorization", "Bearer " + token);
    }

    @Test
    void connectionsPerUserCountsTheConnectionsOfEveryNode() {
        try (WsRecorder onA = nodeA.connectAs("ann");
                WsRecorder onB = nodeB.connectAs("ann");
                WsRecorder third = WsRecorder.connect(nodeA.ws(), "Authorization", "Bearer " + Jwts.hs256For("ann"));
                WsRecorder fourth = WsRecorder.connect(nodeB.ws(), "Authorization", "Bearer " + Jwts.hs256For("ann"))) {
            for (WsRecorder refused : List.of(third, fourth)) {
                WsRecorder.Close close = refused.awaitClose();
                assertThat(close.code()).isEqualTo(RefusalCode.TOO_MANY_CONNECTIONS.closeCode());
                assertThat(close.reason()).startsWith(RefusalCode.TOO_MANY_CONNECTIONS.name());
            }
            onA.assertAlive("ann's first socket");
            onB.assertAlive("ann's second socket");
        }
        // Their places are given back when they close: two fit again.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (WsRecorder again = nodeB.connectAs("ann");
                    WsRecorder andAgain = nodeA.connectAs("ann")) {
                again.assertAlive();
                andAgain.assertAlive();
            }
        });
    }

    @Test
    void aNodeWhoseLivenessExpiredNoLongerCountsItsConnections() {
        try (WsRecorder first = nodeB.connectAs("ben");
                WsRecorder second = nodeB.connectAs("ben")) {
            try (WsRecorder refused =
                    WsRecorder.connect(nodeA.ws(), "Authorization", "Bearer " + Jwts.hs256For("ben"))) {
                assertThat(refused.awaitClose().code()).isEqualTo(RefusalCode.TOO_MANY_CONNECTIONS.closeCode());
            }
            NodeLiveness.alive(PREFIX, nodeB, Duration.ofSeconds(-1)); // B's heartbeat stopped a second ago
            try (WsRecorder onA = nodeA.connectAs("ben")) {
                onA.assertAlive("ben's socket on A while B counts as dead");
            } finally {
                NodeLiveness.alive(PREFIX, nodeB, Duration.ofMinutes(10));
            }
        }
    }

    @Test
    void duplicateRejectRefusesASecondConnectionOfTheInstanceOnAnotherNode() {
        String token = Jwts.hs256For("cat");
        try (WsRecorder onA = connect(nodeA, token, "tab-1")) {
            onA.awaitEstablished();
            try (WsRecorder onB = connect(nodeB, token, "tab-1")) {
                assertThat(onB.awaitClose())
                        .isEqualTo(new WsRecorder.Close(
                                RefusalCode.CONNECTION_REPLACED.closeCode(), RefusalCode.CONNECTION_REPLACED.name()));
            }
            try (WsRecorder otherTab = connect(nodeB, token, "tab-2")) {
                otherTab.awaitEstablished(); // another instance of the same token is not a duplicate
            }
            onA.assertAlive("the first connection of tab-1");
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (WsRecorder back = connect(nodeB, token, "tab-1")) {
                back.awaitEstablished(); // the instance closed on A: it may open on B
            }
        });
    }

    @Test
    void duplicateReplaceClosesTheOlderConnectionOnAnotherNode() {
        String prefix = PREFIX + "replace:";
        try (TestGatehouse c = new TestGatehouse()
                        .with(ConfigKey.BROKER_URL.key(), RedisNodesTest.REDIS_URL)
                        .with(ConfigKey.BROKER_PREFIX.key(), prefix)
                        .start();
                TestGatehouse d = new TestGatehouse()
                        .with(ConfigKey.BROKER_URL.key(), RedisNodesTest.REDIS_URL)
                        .with(ConfigKey.BROKER_PREFIX.key(), prefix)
                        .start()) {
            String token = Jwts.hs256For("dan");
            try (WsRecorder older = connect(c, token, "tab-1")) {
                older.awaitEstablished();
                try (WsRecorder newer = connect(d, token, "tab-1")) {
                    newer.awaitEstablished();
                    assertThat(older.awaitClose())
                            .isEqualTo(new WsRecorder.Close(
                                    RefusalCode.CONNECTION_REPLACED.closeCode(),
                                    RefusalCode.CONNECTION_REPLACED.name()));
                    newer.assertAlive("the newer connection, on the other node");
                }
            }
        }
    }

    @Test
    void upgradesPerIpSpentOnNodeARefuseOnNodeB() {
        InetAddress client = LoopbackHttp.source(51);
        for (int i = 0; i < 3; i++) {
            LoopbackHttp.Answer refused = foreignUpgrade(client, nodeA);
            assertThat(refused.status()).as(refused.body()).isEqualTo(403); // failed: its token stays spent
        }
        LoopbackHttp.Answer onB = foreignUpgrade(client, nodeB);
        assertThat(onB.status()).as(onB.body()).isEqualTo(429);
        assertThat(onB.json().path("code").asText()).isEqualTo(RefusalCode.RATE_LIMITED.name());
        assertThat(onB.json().toString()).contains("upgrades_per_ip");
        assertThat(onB.header("Retry-After")).isNotNull();
        assertThat(foreignUpgrade(LoopbackHttp.source(52), nodeB).status())
                .as("another address")
                .isEqualTo(403);
    }

    @Test
    void refusedCredentialsOnNodeASlowTheAddressDownOnNodeB() {
        InetAddress guesser = LoopbackHttp.source(41);
        for (int i = 0; i < 3; i++) {
            LoopbackHttp.Answer a = publish(guesser, nodeA, "apikey ghk_" + "A".repeat(43));
            assertThat(a.status()).as(a.body()).isEqualTo(401);
        }
        String key = "apikey " + nodeB.apiKey("publish");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            LoopbackHttp.Answer b = publish(guesser, nodeB, key); // refused before the key is looked at
            assertThat(b.status()).as(b.body()).isEqualTo(429);
            assertThat(b.json().toString()).contains("refused credentials");
        });
        LoopbackHttp.Answer upgrade = LoopbackHttp.get(
                guesser,
                nodeB.gatehouse().port(),
                "/ws",
                upgradeHeaders("Authorization: Bearer " + Jwts.hs256For("eve")));
        assertThat(upgrade.status()).as(upgrade.body()).isEqualTo(429);
        assertThat(publish(LoopbackHttp.source(42), nodeB, key).status())
                .as("another address")
                .isEqualTo(200);
    }

    @Test
    void failedLoginsOfOneAccountOnNodeACountOnNodeB() {
        for (int i = 0; i < 2; i++) {
            LoopbackHttp.Answer a = login(LoopbackHttp.source(31), nodeA, "fay");
            assertThat(a.status()).as(a.body()).isEqualTo(401);
            assertThat(a.json().path("code").asText()).isEqualTo(RefusalCode.LOGIN_FAILED.name());
        }
        LoopbackHttp.Answer b = login(LoopbackHttp.source(32), nodeB, "fay"); // another address, same account
        assertThat(b.status()).as(b.body()).isEqualTo(429);
        assertThat(b.json().toString()).contains("for this user");
        assertThat(login(LoopbackHttp.source(32), nodeB, "gil").status())
                .as("another account")
                .isEqualTo(401);
    }

    @Test
    void whenRedisCannotBeReachedTheLimitsFailOpenToTheNodesOwnCount() {
        try (TcpRelay relay = new TcpRelay(RedisNodesTest.REDIS_PORT);
                TestGatehouse nodeC =
                        node("redis://127.0.0.1:" + relay.port() + "/0", PREFIX).start()) {
            RedisNodesTest.cutOff(relay, nodeC);
            InetAddress client = LoopbackHttp.source(61);
            for (int i = 0; i < 3; i++) {
                LoopbackHttp.Answer passed = foreignUpgrade(client, nodeC);
                assertThat(passed.status()).as(passed.body()).isEqualTo(403); // not refused for want of Redis
            }
            assertThat(foreignUpgrade(client, nodeC).status())
                    .as("the node's own upgrades_per_ip still holds")
                    .isEqualTo(429);
            assertThat(login(LoopbackHttp.source(62), nodeC, "hal").status()).isEqualTo(401);
            assertThat(metric(nodeC, "upgrades_per_ip")).isGreaterThanOrEqualTo(3);
            assertThat(metric(nodeC, "auth_failures_per_ip")).isGreaterThanOrEqualTo(1);
            assertThat(metric(nodeC, "login_failures_per_account")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void getStatsOnOneNodeAnswersForEveryNodeAndInTotal() {
        try (WsRecorder onB = nodeB.connectAs("kay");
                WsRecorder admin = nodeA.connectWith(Jwts.hs256For("root", List.of("admin"), List.of()))) {
            onB.assertAlive("kay's socket on B");
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(1200)) // one get_stats per connection and sample
                    .untilAsserted(() -> {
                        admin.send("{\"type\":\"get_stats\",\"id\":1}");
                        JsonNode answer = admin.awaitMessage();
                        assertThat(answer.path("type").asText())
                                .as(answer.toString())
                                .isEqualTo("stats_update");
                        JsonNode data = answer.path("data");
                        assertThat(data.path("nodes")).as(data.toString()).hasSize(2);
                        assertThat(data.path("nodes").get(0).path("node").asText())
                                .isNotEqualTo(
                                        data.path("nodes").get(1).path("node").asText());
                        double connections = 0;
                        for (JsonNode n : data.path("nodes")) {
                            connections += n.path("now").path("connections").asDouble();
                        }
                        assertThat(connections)
                                .as("the admin on A and kay on B")
                                .isGreaterThanOrEqualTo(2);
                        assertThat(data.path("total").path("nodes").asInt()).isEqualTo(2);
                        assertThat(data.path("total").path("connections").asDouble())
                                .isEqualTo(connections);
                        assertThat(data.path("history"))
                                .as("this node's own history, as before")
                                .isNotEmpty();
                    });
        }
    }

    /** {@code gatehouse_limits_failed_open_total{limit}} as {@code node}'s /metrics says it. */
    static double metric(TestGatehouse node, String limit) {
        String line = "gatehouse_limits_failed_open_total{limit=\"" + limit + "\"}";
        return node.get("/metrics")
                .raw()
                .body()
                .lines()
                .filter(l -> l.startsWith(line))
                .mapToDouble(l -> Double.parseDouble(l.substring(line.length()).trim()))
                .findFirst()
                .orElse(0);
    }

    static LoopbackHttp.Answer foreignUpgrade(InetAddress client, TestGatehouse node) {
        return LoopbackHttp.get(
                client,
                node.gatehouse().port(),
                "/ws",
                upgradeHeaders("Origin: https://elsewhere.test", "Authorization: Bearer " + Jwts.hs256For("ivy")));
    }

    static String[] upgradeHeaders(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    static LoopbackHttp.Answer publish(InetAddress client, TestGatehouse node, String authorization) {
        return LoopbackHttp.post(
                client,
                node.gatehouse().port(),
                "/api/v1/publish",
                "{\"channel\":\"news\",\"data\":1}",
                "Authorization: " + authorization);
    }

    static LoopbackHttp.Answer login(InetAddress client, TestGatehouse node, String user) {
        return LoopbackHttp.post(
                client,
                node.gatehouse().port(),
                "/api/v1/auth/login",
                "{\"username\":\"" + user + "\",\"password\":\"wrong-password\"}");
    }

    /**
     * Writes node liveness as the heartbeat does ({@code PREFIX nodes}, member the node id, score the
     * Redis time in ms until which it counts as alive), to take a node for dead at once.
     */
    static final class NodeLiveness {
        static void alive(String prefix, TestGatehouse node, Duration forAnother) {
            String id =
                    ((DeferredRedisBroker) node.gatehouse().broker()).limits().node();
            RedisClient client = RedisClient.create(RedisNodesTest.REDIS_URL);
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                List<String> time = redis.time();
                long nowMillis = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
                redis.zadd(prefix + "nodes", nowMillis + forAnother.toMillis(), id);
            } finally {
                client.shutdown();
            }
        }
    }
}
