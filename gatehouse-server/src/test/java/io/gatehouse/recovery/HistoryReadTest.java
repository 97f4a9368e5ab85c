package io.gatehouse.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reading a channel's kept publications (SPEC §4 {@code history}, §5 offsets and epochs, §6
 * {@code GET channels/{ch}/history}), end to end against a real server and JDK WebSocket clients.
 * Every test uses channels of its own, so they share one server.
 */
class HistoryReadTest {
    /**
     * Publications older than the {@code brief} namespace's history_ttl leave its history. Long
     * enough for two publishes, a connection and a read to fit in it on a loaded machine (1 s need
     * not be), short enough to wait out.
     */
    static final Duration BRIEF_TTL = Duration.ofSeconds(3);

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("channels.namespaces.chat", Map.of("history_size", 5, "publish", "authenticated"))
            .with("channels.namespaces.nohist", Map.of("history_size", 0))
            .with("channels.namespaces.brief", Map.of("history_size", 100, "history_ttl", BRIEF_TTL.toMillis() + "ms"));

    static String publishKey;
    static String adminKey;

    @BeforeAll
    static void keys() {
        publishKey = "apikey " + server.apiKey("publish");
        adminKey = "apikey " + server.apiKey("admin");
    }

    /** Publishes {@code data} through the server API; returns {channel, offset, epoch}. */
    static JsonNode publish(String channel, Object data) {
        return server.publish(channel, json(data));
    }

    /** Publishes 1..n as data; returns the epoch of the last one. */
    static String publishNumbers(String channel, int n) {
        String epoch = null;
        for (int i = 1; i <= n; i++) {
            epoch = publish(channel, i).path("epoch").asText();
        }
        return epoch;
    }

    static String json(Object value) {
        try {
            return TestGatehouse.JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code history} with the given extra JSON fields (may be empty) and returns the reply. */
    static JsonNode history(WsRecorder ws, String channel, String extra) {
        ws.send("{\"type\":\"history\",\"id\":7,\"channel\":\"" + channel + "\"" + (extra.isEmpty() ? "" : "," + extra)
                + "}");
        JsonNode reply = ws.awaitMessage();
        assertThat(reply.path("id").asInt()).as(reply.toString()).isEqualTo(7);
        return reply;
    }

    static String since(long offset, String epoch) {
        return "\"since\":{\"offset\":" + offset + ",\"epoch\":\"" + epoch + "\"}";
    }

    static List<Long> offsets(JsonNode reply) {
        List<Long> out = new ArrayList<>();
        reply.path("publications").forEach(p -> out.add(p.path("offset").asLong()));
        return out;
    }

    static List<Integer> data(JsonNode reply) {
        List<Integer> out = new ArrayList<>();
        reply.path("publications").forEach(p -> out.add(p.path("data").asInt()));
        return out;
    }

    static TestGatehouse.Reply httpHistory(String encodedChannel, String query, String key) {
        String path = "/api/v1/channels/" + encodedChannel + "/history" + (query.isEmpty() ? "" : "?" + query);
        return key == null ? server.get(path) : server.get(path, "Authorization", key);
    }

    // --- publishing: offsets and epochs ---

    @Test
    void publishAnswersChannelOffsetAndEpochWithOffsetsCountingFromOnePerChannel() {
        JsonNode a1 = publish("chat:count-a", "x");
        JsonNode a2 = publish("chat:count-a", "y");
        JsonNode b1 = publish("chat:count-b", "z");
        JsonNode a3 = publish("chat:count-a", "w");

        assertThat(a1.path("channel").asText()).isEqualTo("chat:count-a");
        assertThat(b1.path("channel").asText()).isEqualTo("chat:count-b");
        assertThat(List.of(
                        a1.path("offset").asLong(),
                        a2.path("offset").asLong(),
                        a3.path("offset").asLong()))
                .containsExactly(1L, 2L, 3L);
        assertThat(b1.path("offset").asLong()).isEqualTo(1);
        assertThat(a1.path("epoch").asText())
                .isNotBlank()
                .isEqualTo(a2.path("epoch").asText())
                .isEqualTo(a3.path("epoch").asText());
        assertThat(b1.path("epoch").asText()).isNotBlank();
    }

    @Test
    void messageFramesCarryChannelOffsetEpochDataAndPublishedAt() {
        try (WsRecorder ws = server.connectAs("alice")) {
            assertThat(ws.subscribe("chat:frames").path("offset").asLong()).isZero();
            Instant before = Instant.now();
            JsonNode published = publish("chat:frames", Map.of("text", "hello"));

            JsonNode m = ws.awaitType("message");
            assertThat(m.path("channel").asText()).isEqualTo("chat:frames");
            assertThat(m.path("offset").asLong())
                    .isEqualTo(1)
                    .isEqualTo(published.path("offset").asLong());
            assertThat(m.path("epoch").asText())
                    .isEqualTo(published.path("epoch").asText());
            assertThat(m.path("data").path("text").asText()).isEqualTo("hello");
            Instant at = Instant.parse(m.path("published_at").asText());
            assertThat(at).isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
        }
    }

    @Test
    void aClientPublishIsAnsweredWithItsPositionAndKeptInHistory() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.send("{\"type\":\"publish\",\"id\":3,\"channel\":\"chat:by-client\",\"data\":{\"n\":1}}");
            JsonNode published = ws.awaitType("published");
            assertThat(published.path("id").asInt()).isEqualTo(3);
            assertThat(published.path("channel").asText()).isEqualTo("chat:by-client");
            assertThat(published.path("offset").asLong()).isEqualTo(1);

            JsonNode h = history(ws, "chat:by-client", "");
            assertThat(offsets(h)).containsExactly(1L);
            assertThat(h.path("publications").get(0).path("data").path("n").asInt())
                    .isEqualTo(1);
            assertThat(h.path("epoch").asText())
                    .isEqualTo(published.path("epoch").asText());
        }
    }

    // --- the WebSocket history message ---

    @Test
    void historyWithoutSinceReturnsEverythingKeptOldestFirstWithThePosition() {
        String epoch = publishNumbers("chat:all", 3);
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode h = history(ws, "chat:all", "");
            assertThat(h.path("type").asText()).isEqualTo("history");
            assertThat(h.path("channel").asText()).isEqualTo("chat:all");
            assertThat(h.path("offset").asLong()).isEqualTo(3);
            assertThat(h.path("epoch").asText()).isEqualTo(epoch);
            assertThat(offsets(h)).containsExactly(1L, 2L, 3L);
            assertThat(data(h)).containsExactly(1, 2, 3);
            for (JsonNode p : h.path("publications")) {
                assertThat(p.path("channel").asText()).isEqualTo("chat:all");
                assertThat(p.path("epoch").asText()).isEqualTo(epoch);
                assertThat(Instant.parse(p.path("published_at").asText())).isNotNull();
                assertThat(fieldNames(p))
                        .containsExactlyInAnyOrder("channel", "offset", "epoch", "data", "published_at");
            }
        }
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void historyWithALimitAndNoSinceReturnsTheNewestOnesOldestFirst() {
        publishNumbers("chat:newest", 4);
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode h = history(ws, "chat:newest", "\"limit\":2");
            assertThat(offsets(h)).containsExactly(3L, 4L);
            assertThat(h.path("offset").asLong()).isEqualTo(4);
        }
    }

    @Test
    void historyWithSinceReturnsTheFirstLimitAfterIt() {
        String epoch = publishNumbers("chat:paging", 5);
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode page1 = history(ws, "chat:paging", since(1, epoch) + ",\"limit\":2");
            assertThat(offsets(page1)).containsExactly(2L, 3L);
            assertThat(page1.path("offset").asLong()).isEqualTo(5);
            assertThat(page1.path("epoch").asText()).isEqualTo(epoch);

            JsonNode rest = history(ws, "chat:paging", since(3, epoch));
            assertThat(offsets(rest)).containsExactly(4L, 5L);

            JsonNode none = history(ws, "chat:paging", since(5, epoch));
            assertThat(offsets(none)).isEmpty();
            assertThat(none.path("offset").asLong()).isEqualTo(5);
        }
    }

    @Test
    void historyWithSinceOfAnotherEpochReadsFromTheOldestKept() {
        String epoch = publishNumbers("chat:other-epoch", 3);
        String stale = epoch.equals("00000000") ? "00000001" : "00000000";
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode limited = history(ws, "chat:other-epoch", since(2, stale) + ",\"limit\":2");
            assertThat(offsets(limited)).containsExactly(1L, 2L);
            assertThat(limited.path("epoch").asText()).isEqualTo(epoch);

            JsonNode all = history(ws, "chat:other-epoch", since(3, stale));
            assertThat(offsets(all)).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void historySizeKeepsOnlyTheNewestPublications() {
        String epoch = publishNumbers("chat:trimmed", 8);
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode h = history(ws, "chat:trimmed", "");
            assertThat(offsets(h)).containsExactly(4L, 5L, 6L, 7L, 8L);
            assertThat(data(h)).containsExactly(4, 5, 6, 7, 8);
            assertThat(h.path("offset").asLong()).isEqualTo(8);

            // since older than the oldest kept: what is kept, from the oldest
            JsonNode after1 = history(ws, "chat:trimmed", since(1, epoch) + ",\"limit\":2");
            assertThat(offsets(after1)).containsExactly(4L, 5L);
        }
    }

    @Test
    void limitZeroReturnsNoPublicationsButThePosition() {
        String epoch = publishNumbers("chat:limit-zero", 2);
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode h = history(ws, "chat:limit-zero", "\"limit\":0");
            assertThat(h.path("type").asText()).isEqualTo("history");
            assertThat(h.path("publications").isArray()).isTrue();
            assertThat(h.path("publications")).isEmpty();
            assertThat(h.path("offset").asLong()).isEqualTo(2);
            assertThat(h.path("epoch").asText()).isEqualTo(epoch);
        }
    }

    @Test
    void historyOfAChannelNobodyPublishedToIsEmptyAtOffsetZero() {
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode h = history(ws, "chat:silent", "");
            assertThat(h.path("publications")).isEmpty();
            assertThat(h.path("offset").asLong()).isZero();
            assertThat(h.path("epoch").asText()).isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "\"since\":5",
                "\"since\":\"5\"",
                "\"since\":{\"offset\":1}",
                "\"since\":{\"epoch\":\"abc\"}",
                "\"since\":{\"offset\":\"1\",\"epoch\":\"abc\"}",
                "\"since\":{\"offset\":-1,\"epoch\":\"abc\"}",
                "\"since\":{\"offset\":1.5,\"epoch\":\"abc\"}",
                "\"since\":{\"offset\":1,\"epoch\":7}",
                "\"limit\":-1",
                "\"limit\":\"2\"",
                "\"limit\":1.5",
                "\"limit\":true",
                "\"limit\":1099511627776",
            })
    void aBadSinceOrLimitIsABadRequestAndTheConnectionStays(String field) {
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode error = history(ws, "chat:bad-args", field);
            assertThat(error.path("type").asText()).as(error.toString()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(error.path("message").asText()).isNotBlank();

            JsonNode good = history(ws, "chat:bad-args", "");
            assertThat(good.path("type").asText()).as(good.toString()).isEqualTo("history");
        }
    }

    @ParameterizedTest(name = "{0} reads {1}")
    @CsvSource({
        "bob, chat:inbox#alice",
        "bob, 'chat:dialog#alice,carol'",
        "alice, nons:x",
    })
    void aChannelTheUserMayNotSubscribeToIsPermissionDenied(String user, String channel) {
        try (WsRecorder ws = server.connectAs(user)) {
            JsonNode error = history(ws, channel, "");
            assertThat(error.path("type").asText()).as(error.toString()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            ws.assertAlive();
        }
    }

    @Test
    void theListedUserMayReadAUserLimitedChannel() {
        publish("chat:inbox#dora", "for dora");
        try (WsRecorder ws = server.connectAs("dora")) {
            JsonNode h = history(ws, "chat:inbox#dora", "");
            assertThat(h.path("type").asText()).as(h.toString()).isEqualTo("history");
            assertThat(h.path("channel").asText()).isEqualTo("chat:inbox#dora");
            assertThat(h.path("publications").get(0).path("data").asText()).isEqualTo("for dora");
        }
    }

    @Test
    void aNamespaceWithHistorySizeZeroKeepsNothingButOffsetsStillCount() {
        String epoch = publishNumbers("nohist:x", 3);
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode h = history(ws, "nohist:x", "");
            assertThat(h.path("type").asText()).isEqualTo("history");
            assertThat(h.path("publications")).isEmpty();
            assertThat(h.path("offset").asLong()).isEqualTo(3);
            assertThat(h.path("epoch").asText()).isEqualTo(epoch);
        }
    }

    @Test
    void publicationsOlderThanHistoryTtlLeaveHistoryButOffsetsStay() {
        String epoch = publishNumbers("brief:x", 2);
        try (WsRecorder ws = server.connectAs("alice")) {
            // Read at once (well inside the ttl), then again until they age out.
            assertThat(offsets(history(ws, "brief:x", ""))).containsExactly(1L, 2L);
            Awaitility.await()
                    .atMost(BRIEF_TTL.plusSeconds(2))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> history(ws, "brief:x", "").path("publications").isEmpty());
            JsonNode h = history(ws, "brief:x", "");
            assertThat(h.path("offset").asLong()).isEqualTo(2);
            assertThat(h.path("epoch").asText()).isEqualTo(epoch);
            // A publication after the others expired is kept on its own.
            publish("brief:x", 3);
            assertThat(offsets(history(ws, "brief:x", ""))).containsExactly(3L);
        }
    }

    // --- GET /api/v1/channels/{ch}/history ---

    @Test
    void httpHistoryHasTheShapeOfTheWebSocketReply() {
        publishNumbers("chat:http-shape", 3);
        TestGatehouse.Reply r = httpHistory("chat:http-shape", "", publishKey);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        try (WsRecorder ws = server.connectAs("alice")) {
            ObjectNode viaWs = (ObjectNode) history(ws, "chat:http-shape", "").deepCopy();
            viaWs.remove("type");
            viaWs.remove("id");
            assertThat(r.body()).isEqualTo(viaWs);
        }
        assertThat(r.body().path("channel").asText()).isEqualTo("chat:http-shape");
        assertThat(offsets(r.body())).containsExactly(1L, 2L, 3L);
        assertThat(r.body().path("offset").asLong()).isEqualTo(3);
    }

    @Test
    void httpHistoryTakesSinceAndLimit() {
        publishNumbers("chat:http-paging", 5);
        assertThat(offsets(httpHistory("chat:http-paging", "since=1&limit=2", publishKey)
                        .body()))
                .containsExactly(2L, 3L);
        assertThat(offsets(
                        httpHistory("chat:http-paging", "since=3", publishKey).body()))
                .containsExactly(4L, 5L);
        assertThat(offsets(
                        httpHistory("chat:http-paging", "limit=2", publishKey).body()))
                .containsExactly(4L, 5L);
        JsonNode zero = httpHistory("chat:http-paging", "limit=0", publishKey).body();
        assertThat(zero.path("publications")).isEmpty();
        assertThat(zero.path("offset").asLong()).isEqualTo(5);
        assertThat(zero.path("epoch").asText()).isNotBlank();
    }

    @Test
    void httpHistoryAcceptsAnAdminKey() {
        publishNumbers("chat:http-admin", 1);
        TestGatehouse.Reply r = httpHistory("chat:http-admin", "", adminKey);
        assertThat(r.status()).isEqualTo(200);
        assertThat(offsets(r.body())).containsExactly(1L);
    }

    @Test
    void httpHistoryWithoutAKeyIsRefused() {
        TestGatehouse.Reply r = httpHistory("chat:http-nokey", "", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("code").asText()).isEqualTo("TOKEN_MISSING");
        assertThat(r.body().path("error").asText()).isNotBlank();
        assertThat(r.body().path("hint").asText()).isNotBlank();
        assertThat(r.body().has("publications")).isFalse();
    }

    @Test
    void httpHistoryOfAUserLimitedChannelTakesThePercentEncodedHash() {
        publish("chat:inbox#alice", "a1");
        publish("chat:inbox#alice", "a2");
        publish("chat:inbox", "not alice's");
        TestGatehouse.Reply r = httpHistory("chat:inbox%23alice", "limit=1", publishKey);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        assertThat(r.body().path("channel").asText()).isEqualTo("chat:inbox#alice");
        assertThat(offsets(r.body())).containsExactly(2L);
        assertThat(r.body().path("publications").get(0).path("channel").asText())
                .isEqualTo("chat:inbox#alice");
        assertThat(r.body().path("publications").get(0).path("data").asText()).isEqualTo("a2");
    }

    @ParameterizedTest(name = "?{0}")
    @ValueSource(
            strings = {"since=-1", "since=x", "since=1.5", "limit=-1", "limit=abc", "limit=1.5", "since=1&limit=-2"})
    void httpHistoryWithABadSinceOrLimitIsBadRequest(String query) {
        TestGatehouse.Reply r = httpHistory("chat:http-bad", query, publishKey);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(r.body().path("hint").asText()).containsAnyOf("since", "limit");
    }

    @Test
    void httpHistoryOfAnUnknownNamespaceIsBadRequest() {
        TestGatehouse.Reply r = httpHistory("nons:x", "", publishKey);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(r.body().path("hint").asText()).contains("nons");
    }
}
