package io.gatehouse.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that repeats get_stats cannot make the node encode or queue a history per message: each
 * connection gets one answer per dashboard.stats_interval (RATE_LIMITED errors, small, for the
 * rest), the whole Stats is encoded once per sample, and get_stats counts against
 * limits.messages_per_connection like any message. The interval here is an hour, so that the one
 * sample (taken at start) is the only one while the tests run.
 */
class GetStatsAbuseTest {
    private static final int BURST = 20;

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("dashboard.stats_interval", "1h")
            .with("limits.messages_per_connection", Map.of("rate", 1, "burst", BURST));

    private static WsRecorder admin() {
        return server.connectWith(Jwts.hs256For("root", List.of("admin"), List.of()));
    }

    @Test
    void eachConnectionIsAnsweredOncePerInterval() {
        try (WsRecorder first = admin();
                WsRecorder second = admin()) {
            first.send("{\"type\":\"get_stats\",\"id\":1}");
            JsonNode answer = first.awaitMessage();
            assertThat(answer.path("type").asText()).isEqualTo("stats_update");
            assertThat(answer.path("id").asInt()).isEqualTo(1);
            assertThat(answer.path("data").path("interval_ms").asLong()).isEqualTo(3_600_000);
            assertThat(answer.path("data").path("history")).hasSize(1);

            first.send("{\"type\":\"get_stats\",\"id\":2}");
            JsonNode again = first.awaitMessage();
            assertThat(again.path("type").asText()).isEqualTo("error");
            assertThat(again.path("code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(again.path("id").asInt()).isEqualTo(2);
            assertThat(again.path("message").asText()).contains("dashboard.stats_interval");
            first.assertAlive("the connection refused a second get_stats");

            second.send("{\"type\":\"get_stats\",\"id\":3}");
            assertThat(second.awaitMessage().path("type").asText())
                    .as("another connection has its own answer")
                    .isEqualTo("stats_update");
        }
    }

    @Test
    void aFloodOfGetStatsGetsOneHistoryThenIsClosedByTheMessageLimit() {
        try (WsRecorder ws = admin()) {
            for (int i = 0; i < BURST; i++) {
                ws.send("{\"type\":\"get_stats\",\"id\":" + i + "}");
            }
            int histories = 0;
            Set<Integer> answered = new TreeSet<>();
            for (int i = 0; i < BURST; i++) {
                JsonNode m = ws.awaitMessage(); // the history comes from the stats thread: in any order
                answered.add(m.path("id").asInt());
                if (m.path("type").asText().equals("stats_update")) {
                    histories++;
                } else {
                    assertThat(m.path("code").asText()).isEqualTo("RATE_LIMITED");
                }
            }
            assertThat(histories).as("one history for the whole burst").isEqualTo(1);
            assertThat(answered).as("each get_stats answered once").hasSize(BURST);

            // The bucket refills at 1/s: a few more use up what came back meanwhile.
            for (int i = 0; i < 10; i++) {
                try {
                    ws.send("{\"type\":\"get_stats\"}");
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            assertThat(ws.awaitClose().code())
                    .as("limits.messages_per_connection")
                    .isEqualTo(4429);
        }
    }

    @Test
    void theWholeStatsIsEncodedOncePerSample() {
        NodeStats stats = server.gatehouse().stats();

        assertThat(stats.fullJson()).isSameAs(stats.fullJson());
    }
}
