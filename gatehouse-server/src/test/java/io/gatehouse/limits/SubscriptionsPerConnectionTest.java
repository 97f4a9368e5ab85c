package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** limits.subscriptions_per_connection, and presence entries bounded with it. */
class SubscriptionsPerConnectionTest {
    static JsonNode subscribe(WsRecorder ws, String channel) {
        ws.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":\"" + channel + "\"}");
        while (true) {
            JsonNode reply = ws.awaitMessage();
            if (reply.path("id").asText().equals(channel)) {
                return reply;
            }
        }
    }

    @Test
    void theDefault256IncludesThePersonalChannelThenTooManySubscriptionsWithAHint() {
        // 257 subscribes at once: the message limit is not what this test is about.
        try (TestGatehouse server = new TestGatehouse()
                        .with(ConfigKey.LIMITS_MESSAGES_PER_CONNECTION.key(), Map.of("rate", 100_000, "burst", 100_000))
                        .start();
                WsRecorder ws =
                        WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("hoarder"))) {
            ws.awaitType("connection_established");
            for (int i = 0; i < 255; i++) { // with #hoarder, 256
                assertThat(subscribe(ws, "news" + i).path("type").asText()).isEqualTo("subscribed");
            }
            JsonNode refused = subscribe(ws, "one-too-many");
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("TOO_MANY_SUBSCRIPTIONS");
            assertThat(refused.path("message").asText())
                    .contains("limits.subscriptions_per_connection")
                    .contains("256");
            // The connection stays, and a freed slot can be used again.
            ws.send("{\"type\":\"unsubscribe\",\"channel\":\"news0\"}");
            assertThat(ws.awaitType("unsubscribed").path("channel").asText()).isEqualTo("news0");
            assertThat(subscribe(ws, "one-too-many").path("type").asText()).isEqualTo("subscribed");
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
                WsRecorder ws =
                        WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("visitor"))) {
            ws.awaitType("connection_established");
            assertThat(subscribe(ws, "room:a").path("type").asText()).isEqualTo("subscribed");
            assertThat(subscribe(ws, "room:b").path("type").asText()).isEqualTo("subscribed");
            assertThat(subscribe(ws, "room:c").path("code").asText()).isEqualTo("TOO_MANY_SUBSCRIPTIONS");
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
