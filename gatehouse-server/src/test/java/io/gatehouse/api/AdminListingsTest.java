package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fields the dashboard reads (docs/protocol.md, "Admin API"): connections with origin,
 * subscriptions and token prefix; channels with presence and last offset.
 */
class AdminListingsTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("channels.namespaces.lobby", Map.of("presence", true))
            .with("channels.namespaces.quiet", Map.of("history_size", 0));

    static BrowserSession admin;

    @BeforeAll
    static void users() {
        server.user("root", "root-password-123", true);
        admin = BrowserSession.login(server, "root", "root-password-123");
    }

    @Test
    void aConnectionRowHasItsOriginSubscriptionsAndTokenPrefix() {
        server.user("sue", "sue-password-123", false);
        BrowserSession sue = BrowserSession.login(server, "sue", "sue-password-123");
        String token = server.opaqueToken("tom");
        try (WsRecorder browser = sue.connect(server);
                WsRecorder app = server.connectWith(token)) {
            app.subscribe("news");
            app.subscribe("lobby:hall");

            JsonNode tom = single("tom");
            assertThat(tom.path("method").asText()).isEqualTo("opaque");
            assertThat(tom.path("token_prefix").asText()).isEqualTo(token.substring(0, 12));
            assertThat(tom.path("origin").isNull()).isTrue();
            assertThat(strings(tom.path("subscriptions")))
                    .contains("#tom", "lobby:hall", "news")
                    .isSorted();
            assertThat(tom.path("channels")).isEqualTo(tom.path("subscriptions"));
            assertThat(tom.path("connection_id").asText())
                    .isEqualTo(app.established().path("connection_id").asText());

            JsonNode browserRow = single("local:sue");
            assertThat(browserRow.path("method").asText()).isEqualTo("session");
            assertThat(browserRow.path("origin").asText()).isEqualTo(BrowserSession.ownOrigin(server));
            assertThat(browserRow.path("token_prefix").isNull()).isTrue();
            assertThat(strings(browserRow.path("subscriptions"))).containsExactly("#local:sue");
        }
    }

    @Test
    void aChannelRowHasPresenceWhereKeptAndTheLastOffsetWhereHistoryIsKept() {
        try (WsRecorder a = server.connectAs("ann");
                WsRecorder b = server.connectAs("ben")) {
            a.subscribe("lobby:room");
            b.subscribe("lobby:room");
            a.subscribe("updates");
            a.subscribe("quiet:ticks");
            server.publish("updates", "1");
            JsonNode second = server.publish("updates", "2");
            server.publish("quiet:ticks", "1");

            JsonNode lobby = channel("lobby:room");
            assertThat(lobby.path("subscribers").asInt()).isEqualTo(2);
            assertThat(lobby.path("presence").asInt()).isEqualTo(2);
            assertThat(lobby.path("offset").asLong()).isZero(); // history kept, nothing published yet
            assertThat(lobby.path("epoch").asText()).isNotBlank();

            JsonNode updates = channel("updates");
            assertThat(updates.path("subscribers").asInt()).isEqualTo(1);
            assertThat(updates.path("presence").isNull())
                    .as("no presence without a namespace")
                    .isTrue();
            assertThat(updates.path("offset").asLong())
                    .isEqualTo(second.path("offset").asLong());
            assertThat(updates.path("epoch").asText())
                    .isEqualTo(second.path("epoch").asText());

            JsonNode quiet = channel("quiet:ticks");
            assertThat(quiet.path("presence").isNull()).isTrue();
            assertThat(quiet.path("offset").isNull())
                    .as("history_size 0 keeps none")
                    .isTrue();
            assertThat(quiet.path("epoch").isNull()).isTrue();
            assertThat(quiet.has("offset")).isTrue();
        }
    }

    private static JsonNode single(String user) {
        TestGatehouse.Reply r =
                AdminSessionApiTest.send(server, "GET", "/api/v1/connections?user=" + user, null, admin, true);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("connections")).hasSize(1);
        return r.body().path("connections").get(0);
    }

    private static JsonNode channel(String name) {
        TestGatehouse.Reply r = AdminSessionApiTest.send(server, "GET", "/api/v1/channels", null, admin, true);
        assertThat(r.status()).isEqualTo(200);
        return StreamSupport.stream(r.body().path("channels").spliterator(), false)
                .filter(c -> c.path("channel").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + r.body()));
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }
}
