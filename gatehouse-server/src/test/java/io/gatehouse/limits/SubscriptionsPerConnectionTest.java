package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** limits.subscriptions_per_connection, and presence entries bounded with it. */
class SubscriptionsPerConnectionTest {
    @Test
    void theDefault256IncludesThePersonalChannelThenTooManySubscriptionsWithAHint() {
        // 257 subscribes at once: the message limit is not what this test is about.
        try (TestGatehouse server = new TestGatehouse()
                        .with(ConfigKey.LIMITS_MESSAGES_PER_CONNECTION.key(), Map.of("rate", 100_000, "burst", 100_000))
                        .start();
                WsRecorder ws = server.connectAs("hoarder")) {
            for (int i = 0; i < 255; i++) { // with #hoarder, 256
                ws.subscribe("news" + i);
            }
            JsonNode refused = ws.subscribeReply("one-too-many", 1);
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("TOO_MANY_SUBSCRIPTIONS");
            assertThat(refused.path("message").asText())
                    .contains("limits.subscriptions_per_connection")
                    .contains("256");
            // The connection stays, and a freed slot can be used again.
            ws.unsubscribe("news0");
            ws.subscribe("one-too-many");
            assertThat(server.get("/metrics").raw().body())
                    .contains("gatehouse_limited_total{limit=\"subscriptions_per_connection\"}");
        }
    }

    @Test
    void presenceEntriesAreBoundedWithSubscriptions() {
        try (TestGatehouse server = new TestGatehouse()
                        .with(ConfigKey.LIMITS_SUBSCRIPTIONS_PER_CONNECTION.key(), 3)
                        .with("channels.namespaces.room", Map.of("presence", true))
                        .start();
                WsRecorder ws = server.connectAs("visitor")) {
            ws.subscribe("room:a");
            ws.subscribe("room:b");
            assertThat(ws.subscribeReply("room:c", 1).path("code").asText()).isEqualTo("TOO_MANY_SUBSCRIPTIONS");
            String key = "apikey " + server.apiKey("publish");
            assertThat(server.get("/api/v1/channels/room:c/presence", "Authorization", key)
                            .body()
                            .path("clients"))
                    .isEmpty();
            assertThat(server.get("/api/v1/channels/room:b/presence", "Authorization", key)
                            .body()
                            .path("clients"))
                    .hasSize(1);
        }
    }
}
