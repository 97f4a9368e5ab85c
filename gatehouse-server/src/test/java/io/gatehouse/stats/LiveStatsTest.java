package io.gatehouse.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node's live statistics end to end (docs/protocol.md, "Live statistics"), with a real server
 * sampling every 100 ms and real WebSocket clients: get_stats, the gatehouse:stats pushes, and who
 * may do what with them. Waits on frames, never on the clock.
 */
class LiveStatsTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("dashboard.stats_interval", "100ms");

    private static final String STATS = "gatehouse:stats";
    /** Pushes read at most while waiting for a number to move: 30 s at the interval, far beyond any wait here. */
    private static final int MAX_PUSHES = 300;

    private static WsRecorder admin() {
        return server.connectWith(Jwts.hs256For("root", List.of("admin"), List.of()));
    }

    /** The next stats_update pushed to {@code ws}, subscribed to gatehouse:stats. */
    private static JsonNode nextPush(WsRecorder ws) {
        JsonNode m = ws.awaitType("stats_update");
        assertThat(m.has("id")).as("a push answers no request").isFalse();
        return m.path("data");
    }

    /** Reads pushes until one's {@code now} satisfies {@code wanted}; returns that {@code now}. */
    private static JsonNode pushUntil(WsRecorder ws, String what, Predicate<JsonNode> wanted) {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < MAX_PUSHES; i++) {
            JsonNode now = nextPush(ws).path("now");
            if (wanted.test(now)) {
                return now;
            }
            if (seen.size() < 5) {
                seen.add(now.toString());
            }
        }
        throw new AssertionError("no push with " + what + " among " + MAX_PUSHES + "; the first ones: " + seen);
    }

    private static void assertSample(JsonNode s) {
        assertThat(s.fieldNames())
                .toIterable()
                .containsExactly(
                        "at",
                        "connections",
                        "upgrades_accepted",
                        "upgrades_refused",
                        "messages_in",
                        "messages_out",
                        "deliveries",
                        "slow_consumers",
                        "access_log_queue",
                        "webhook_queue",
                        "heap_used_bytes",
                        "heap_max_bytes",
                        "cpu_process",
                        "uptime_ms");
        assertThat(Instant.parse(s.path("at").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(s.path("connections").isInt()).isTrue();
        assertThat(s.path("upgrades_refused").isObject()).isTrue();
        assertThat(s.path("heap_used_bytes").asLong()).isPositive();
        assertThat(s.path("heap_max_bytes").asLong())
                .isGreaterThanOrEqualTo(s.path("heap_used_bytes").asLong());
        assertThat(s.path("cpu_process").isNumber())
                .as("HotSpot measures process CPU")
                .isTrue();
        assertThat(s.path("cpu_process").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(s.path("access_log_queue").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(s.path("webhook_queue").asLong()).isZero(); // no hooks.url here
    }

    @Test
    void anAdminsGetStatsIsAnsweredWithTheWholeStatsAndItsHistory() {
        try (WsRecorder ws = admin()) {
            ws.send("{\"type\":\"get_stats\",\"id\":\"s1\"}");
            JsonNode reply = ws.awaitType("stats_update");

            assertThat(reply.path("id").asText()).isEqualTo("s1");
            JsonNode data = reply.path("data");
            assertThat(data.fieldNames())
                    .toIterable()
                    .containsExactly("node", "version", "started_at", "uptime_ms", "interval_ms", "now", "history");
            assertThat(data.path("node").asText())
                    .isEqualTo("127.0.0.1:" + server.gatehouse().port());
            assertThat(data.path("version").asText()).isNotEmpty();
            assertThat(data.path("interval_ms").asLong()).isEqualTo(100);
            assertThat(Instant.parse(data.path("started_at").asText())).isBefore(Instant.now());
            assertSample(data.path("now"));
            assertThat(data.path("now").path("connections").asInt())
                    .as("this connection at least")
                    .isPositive();
            JsonNode history = data.path("history");
            assertThat(history.size()).isBetween(1, 900);
            assertThat(history.get(history.size() - 1)).isEqualTo(data.path("now"));
            assertThat(data.path("uptime_ms").asLong())
                    .isEqualTo(data.path("now").path("uptime_ms").asLong());
            history.forEach(LiveStatsTest::assertSample);
            for (int i = 1; i < history.size(); i++) {
                assertThat(Instant.parse(history.get(i).path("at").asText()))
                        .as("oldest first")
                        .isAfterOrEqualTo(
                                Instant.parse(history.get(i - 1).path("at").asText()));
            }
            ws.assertAlive();
        }
    }

    @Test
    void aSubscribedAdminGetsTheNewSampleEveryInterval() {
        try (WsRecorder ws = admin()) {
            JsonNode subscribed = ws.subscribe(STATS);
            assertThat(subscribed.path("publications")).isEmpty();

            Instant previous = Instant.EPOCH;
            for (int i = 0; i < 5; i++) {
                JsonNode data = nextPush(ws);
                assertThat(data.fieldNames()).toIterable().containsExactly("node", "now");
                assertThat(data.path("node").asText())
                        .isEqualTo("127.0.0.1:" + server.gatehouse().port());
                assertSample(data.path("now"));
                Instant at = Instant.parse(data.path("now").path("at").asText());
                assertThat(at).as("a new sample each time").isAfter(previous);
                previous = at;
            }

            ws.send("{\"type\":\"unsubscribe\",\"channel\":\"gatehouse:stats\"}");
            ws.awaitType("unsubscribed"); // pushes queued before it are skipped
            ws.assertAlive(); // the pong came next: no push after unsubscribed
        }
    }

    @Test
    void theConnectionCountMovesAsClientsConnectAndLeave() {
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> server.gatehouse().hub().connectionCount() == 0);
        try (WsRecorder ws = admin()) {
            ws.subscribe(STATS);
            pushUntil(ws, "the admin alone", now -> now.path("connections").asInt() == 1);

            List<WsRecorder> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    clients.add(server.connectAs("alice"));
                }
                pushUntil(ws, "four connections", now -> now.path("connections").asInt() == 4);
                assertThat(server.gatehouse().stats().history().get(0).connections())
                        .as("the history keeps what was")
                        .isLessThan(4);
            } finally {
                clients.forEach(WsRecorder::close);
            }
            pushUntil(
                    ws, "the admin alone again", now -> now.path("connections").asInt() == 1);
        }
    }

    @Test
    void upgradesMessagesAndDeliveriesShowUpAsRates() {
        try (WsRecorder ws = admin()) {
            ws.subscribe(STATS);
            assertThatThrownBy(() -> server.connectWith("not-a-token"))
                    .isInstanceOfAny(WsRecorder.HandshakeRefused.class, AssertionError.class);
            JsonNode refused = pushUntil(
                    ws,
                    "a TOKEN_INVALID rate",
                    now -> now.path("upgrades_refused").path("TOKEN_INVALID").asDouble() > 0);
            assertThat(refused.path("upgrades_refused").path("TOKEN_INVALID").isNumber())
                    .isTrue();

            try (WsRecorder bob = server.connectAs("bob")) {
                pushUntil(
                        ws,
                        "an accepted upgrade",
                        now -> now.path("upgrades_accepted").asDouble() > 0);
                bob.subscribe("news");
                server.publish("news", "{\"n\":1}");
                bob.awaitType("message");
                JsonNode delivered = pushUntil(
                        ws, "a delivery", now -> now.path("deliveries").asDouble() > 0);
                assertThat(delivered.path("messages_out").asDouble())
                        .as("the message frame, and the pushes themselves")
                        .isPositive();
                bob.assertAlive(); // a ping: a client message
                pushUntil(ws, "a message in", now -> now.path("messages_in").asDouble() > 0);
            }
        }
    }

    @Test
    void aNonAdminGetsPermissionDeniedForGetStatsAndCannotSubscribe() {
        // The channels claim opens any channel elsewhere; not this one.
        try (WsRecorder ws = server.connectWith(Jwts.hs256For("alice", List.of(), List.of(STATS, "gatehouse:other")))) {
            ws.send("{\"type\":\"get_stats\",\"id\":7}");
            JsonNode denied = ws.awaitMessage();
            assertThat(denied.path("type").asText()).isEqualTo("error");
            assertThat(denied.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            assertThat(denied.path("id").asInt()).isEqualTo(7);

            JsonNode subscribe = ws.subscribeReply(STATS, 8);
            assertThat(subscribe.path("type").asText()).isEqualTo("error");
            assertThat(subscribe.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            assertThat(subscribe.path("id").asInt()).isEqualTo(8);
            assertThat(ws.subscribeReply("gatehouse:other", 9).path("code").asText())
                    .isEqualTo("PERMISSION_DENIED");

            ws.send("{\"type\":\"history\",\"channel\":\"gatehouse:stats\",\"id\":10}");
            assertThat(ws.awaitMessage().path("code").asText()).isEqualTo("PERMISSION_DENIED");
            ws.assertQuiet(Duration.ofMillis(300)); // several intervals: no push came
            ws.assertAlive();
        }
    }

    @Test
    void nobodyPublishesToTheStatsChannelNotEvenAnAdminOrTheServerApi() {
        try (WsRecorder ws = admin()) {
            ws.send("{\"type\":\"publish\",\"channel\":\"gatehouse:stats\",\"data\":{\"fake\":1},\"id\":1}");
            JsonNode refused = ws.awaitType("error");
            assertThat(refused.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            assertThat(refused.path("id").asInt()).isEqualTo(1);
            assertThat(refused.path("message").asText()).contains("built in");
            assertThat(ws.subscribeReply("gatehouse:other", 2).path("code").asText())
                    .as("the namespace has one channel")
                    .isEqualTo("PERMISSION_DENIED");
        }

        String key = server.apiKey("publish", "admin");
        for (String[] call : new String[][] {
            {"/api/v1/publish", "{\"channel\":\"gatehouse:stats\",\"data\":{\"fake\":1}}"},
            {"/api/v1/broadcast", "{\"channels\":[\"news\",\"gatehouse:stats\"],\"data\":{\"fake\":1}}"}
        }) {
            TestGatehouse.Reply r = server.post(call[0], call[1], "Authorization", "apikey " + key);
            assertThat(r.status()).as(call[0]).isEqualTo(400);
            assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(r.body().path("hint").asText()).contains("gatehouse:stats");
        }
    }
}
