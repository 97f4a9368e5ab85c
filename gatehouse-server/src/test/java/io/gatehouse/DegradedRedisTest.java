package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.LogCapture;
import io.gatehouse.testing.RedisTestKeys;
import io.gatehouse.testing.TcpRelay;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A node whose Redis is away is degraded, not down (issue 15, SPEC §6 {@code /ready}): it stays
 * ready for the load balancer, refuses what needs Redis with BACKEND_UNAVAILABLE, keeps its open
 * sockets and their subscriptions, and recovers when Redis is back; a node started without Redis
 * serves and connects once Redis appears. Redis is the real one at 127.0.0.1:6379, reached through
 * a {@link TcpRelay} each test cuts and restores (the shared Redis itself is never stopped); the
 * key prefix is random per run.
 */
class DegradedRedisTest {
    static final String PREFIX =
            "gatehouse-degraded-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    /** Long enough for Lettuce's reconnect (its delay grows while Redis is away) and our own retries. */
    static final Duration BACK = Duration.ofSeconds(60);

    @AfterAll
    static void deleteKeysOfThisRun() {
        RedisTestKeys.deleteUnder(PREFIX);
    }

    /** A node on the Redis behind {@code relay}: feed keeps history, chat takes client publishes. */
    static TestGatehouse node(TcpRelay relay) {
        return new TestGatehouse()
                .with(ConfigKey.BROKER_URL.key(), "redis://127.0.0.1:" + relay.port() + "/0")
                .with(ConfigKey.BROKER_PREFIX.key(), PREFIX)
                .with("channels.namespaces.feed.history_size", 100)
                .with("channels.namespaces.chat", Map.of("publish", "authenticated"));
    }

    @Test
    void readyStaysTwoHundredAndNamesTheBrokerWhileRedisIsCutThenIsReadyAgain() {
        try (TcpRelay relay = new TcpRelay(RedisNodesTest.REDIS_PORT);
                TestGatehouse node = node(relay).start()) {
            assertReady(node);

            relay.cut();
            JsonNode degraded = awaitDegraded(node);
            System.out.println("/ready while Redis is cut: " + degraded);
            assertThat(degraded.path("unreachable").toString())
                    .isEqualTo("[\"broker.url redis://127.0.0.1:" + relay.port() + "/0\"]");
            assertThat(degraded.path("hint").asText()).contains("BACKEND_UNAVAILABLE");

            relay.resume();
            awaitReady(node);
        }
    }

    @Test
    void aDuplicateReplacesTheOlderConnectionOnItsNodeWhileRedisIsCut() {
        try (TcpRelay relay = new TcpRelay(RedisNodesTest.REDIS_PORT);
                TestGatehouse node = node(relay).start()) {
            String token = Jwts.hs256For("tabs");
            try (WsRecorder older = tab(node, token)) {
                relay.cut();
                awaitDegraded(node);
                try (WsRecorder newer = tab(node, token)) {
                    // the replace command cannot cross Redis; this node applies it all the same
                    assertThat(older.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                    newer.assertAlive("the newer connection of tab-1");
                }
                relay.resume();
            }
        }
    }

    @Test
    void publishesWhileRedisIsCutAnswer503BackendUnavailableWithRetryAfter() {
        try (TcpRelay relay = new TcpRelay(RedisNodesTest.REDIS_PORT);
                TestGatehouse node = node(relay).start();
                WsRecorder socket = node.connectAs("pia")) {
            String key = "apikey " + node.apiKey("publish");
            relay.cut();
            awaitDegraded(node);

            TestGatehouse.Reply publish =
                    node.post("/api/v1/publish", "{\"channel\":\"feed:cut\",\"data\":1}", "Authorization", key);
            assertUnavailableWithRetryAfter(publish);
            TestGatehouse.Reply broadcast = node.post(
                    "/api/v1/broadcast", "{\"channels\":[\"feed:a\",\"feed:b\"],\"data\":1}", "Authorization", key);
            assertUnavailableWithRetryAfter(broadcast);
            assertThat(broadcast.body().path("publications").findValuesAsText("code"))
                    .containsExactly("BACKEND_UNAVAILABLE", "BACKEND_UNAVAILABLE");

            socket.sendJson("{\"type\":\"publish\",\"id\":7,\"channel\":\"chat:cut\",\"data\":1}");
            JsonNode error = replyTo(socket, 7);
            assertThat(error.path("type").asText()).as(error.toString()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE.name());
            socket.assertAlive("the socket whose publish was refused");

            relay.resume();
            awaitReady(node);
            assertThat(node.publish("feed:cut", "2").path("offset").asLong()).isPositive();
        }
    }

    @Test
    void anOpenSocketStaysOpenWhileRedisIsCutAndKeepsReceivingOnceItIsBack() {
        try (TcpRelay relay = new TcpRelay(RedisNodesTest.REDIS_PORT);
                TestGatehouse node = node(relay).start();
                WsRecorder socket = node.connectAs("ola")) {
            socket.subscribe("feed:kept");
            node.publish("feed:kept", "1");
            assertThat(socket.awaitType("message").path("data").asInt()).isEqualTo(1);

            relay.cut();
            awaitDegraded(node);
            socket.assertQuiet(Duration.ofSeconds(2)); // no close, no error: nothing happens to it
            socket.assertAlive("the socket while Redis is cut");

            relay.resume();
            awaitReady(node);
            node.publish("feed:kept", "2");
            JsonNode m = socket.awaitType("message");
            assertThat(m.path("channel").asText()).isEqualTo("feed:kept");
            assertThat(m.path("data").asInt()).isEqualTo(2);
            socket.assertAlive("the socket once Redis is back");
        }
    }

    @Test
    void aSubscribeWhileRedisIsCutGetsBackendUnavailableAndWorksOnceItIsBack() {
        try (TcpRelay relay = new TcpRelay(RedisNodesTest.REDIS_PORT);
                TestGatehouse node = node(relay).start();
                WsRecorder socket = node.connectAs("uma")) {
            relay.cut();
            awaitDegraded(node);

            socket.sendJson("{\"type\":\"subscribe\",\"id\":3,\"channel\":\"feed:later\"}");
            JsonNode refused = replyTo(socket, 3);
            assertThat(refused.path("type").asText()).as(refused.toString()).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE.name());
            socket.assertAlive("the socket whose subscribe was refused");

            relay.resume();
            awaitReady(node);
            socket.subscribe("feed:later");
            node.publish("feed:later", "1");
            assertThat(socket.awaitType("message").path("data").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aNodeStartedWhileRedisIsUnreachableServesDegradedAndIsReadyOnceRedisAppears() {
        try (TcpRelay relay = new TcpRelay(RedisNodesTest.REDIS_PORT);
                LogCapture logs = new LogCapture()) {
            relay.cut(); // nothing listens on its port until resume
            try (TestGatehouse node = node(relay).start()) {
                assertThat(logs.events())
                        .filteredOn(e -> e.getLevel() == Level.WARN)
                        .anySatisfy(e -> assertThat(e.getFormattedMessage())
                                .startsWith("broker.url redis://127.0.0.1:" + relay.port() + "/0 cannot be reached")
                                .contains("Starting degraded"));
                assertThat(node.get("/health").status()).isEqualTo(200);
                assertThat(node.get("/ready").body().path("status").asText()).isEqualTo("degraded");
                TestGatehouse.Reply publish = node.post(
                        "/api/v1/publish",
                        "{\"channel\":\"feed:late\",\"data\":1}",
                        "Authorization",
                        "apikey " + node.apiKey("publish"));
                assertUnavailableWithRetryAfter(publish);

                try (WsRecorder early = node.connectAs("eve")) { // sockets are accepted meanwhile
                    early.sendJson("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"feed:late\"}");
                    JsonNode refused = replyTo(early, 1);
                    assertThat(refused.path("type").asText())
                            .as(refused.toString())
                            .isEqualTo("error");
                    assertThat(refused.path("code").asText()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE.name());

                    relay.resume();
                    awaitReady(node);
                    early.subscribe("feed:late");
                    node.publish("feed:late", "2");
                    assertThat(early.awaitType("message").path("data").asInt()).isEqualTo(2);
                    // Its personal channel, refused at connect, is taken once Redis is back.
                    JsonNode personal = Awaitility.await()
                            .atMost(BACK)
                            .until(
                                    () -> {
                                        node.publishToUser("eve", "3");
                                        return early.pollMessage(Duration.ofSeconds(1));
                                    },
                                    m -> m != null);
                    assertThat(personal.path("type").asText())
                            .as(personal.toString())
                            .isEqualTo("message");
                    assertThat(personal.path("data").asInt()).isEqualTo(3);
                }
            }
        }
    }

    /**
     * The reply to request {@code id}, which must be the next message: nothing else comes, not even
     * for the personal channel the node could not open while Redis was away (it retries it quietly).
     */
    private static JsonNode replyTo(WsRecorder socket, int id) {
        JsonNode m = socket.awaitMessage();
        assertThat(m.path("id").asInt(-1)).as(m.toString()).isEqualTo(id);
        return m;
    }

    /** An established socket of {@code token} that names its client instance tab-1. */
    private static WsRecorder tab(TestGatehouse node, String token) {
        WsRecorder ws = WsRecorder.connect(node.ws("instance=tab-1"), "Authorization", "Bearer " + token);
        ws.awaitEstablished();
        return ws;
    }

    private static void assertUnavailableWithRetryAfter(TestGatehouse.Reply r) {
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(503);
        assertThat(r.body().path("code").asText()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE.name());
        assertThat(r.raw().headers().firstValue("Retry-After")).hasValue("1");
    }

    private static void assertReady(TestGatehouse node) {
        TestGatehouse.Reply r = node.get("/ready");
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        assertThat(r.body().path("status").asText()).isEqualTo("ready");
        assertThat(r.body().path("unreachable").size()).isZero();
    }

    /** Waits until {@code node} noticed that Redis is away: /ready 200 degraded. Returns its body. */
    static JsonNode awaitDegraded(TestGatehouse node) {
        JsonNode[] body = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            TestGatehouse.Reply r = node.get("/ready");
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            assertThat(r.body().path("status").asText()).isEqualTo("degraded");
            body[0] = r.body();
        });
        return body[0];
    }

    static void awaitReady(TestGatehouse node) {
        Awaitility.await().atMost(BACK).untilAsserted(() -> assertReady(node));
    }
}
