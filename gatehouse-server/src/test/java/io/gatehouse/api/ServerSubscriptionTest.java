package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /api/v1/users/{id}/subscribe and .../unsubscribe (docs/integrations.md) on one node. */
class ServerSubscriptionTest {
    static TestGatehouse server;
    static String publishKey;

    @BeforeAll
    static void start() {
        server = new TestGatehouse()
                .with("channels.namespaces.room.presence", true)
                .start();
        publishKey = "apikey " + server.apiKey("publish");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    TestGatehouse.Reply post(String path, String body, String key) {
        return server.post(path, body, "Authorization", key);
    }

    @Test
    void aUserRemovedFromARoomStopsReceivingOnEveryTabAtOnce() {
        try (WsRecorder tab1 = server.connectAs("alice");
                WsRecorder tab2 = server.connectAs("alice");
                WsRecorder bob = server.connectAs("bob")) {
            for (WsRecorder ws : new WsRecorder[] {tab1, tab2, bob}) {
                ws.subscribe("room:1");
            }
            TestGatehouse.Reply r = post("/api/v1/users/alice/unsubscribe", "{\"channel\":\"room:1\"}", publishKey);
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            assertThat(r.body().path("unsubscribed_here").asInt()).isEqualTo(2);
            for (WsRecorder tab : new WsRecorder[] {tab1, tab2}) {
                JsonNode ended = tab.awaitType("unsubscribed");
                assertThat(ended.path("channel").asText()).isEqualTo("room:1");
                assertThat(ended.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            }
            server.publish("room:1", "{\"n\":1}");
            assertThat(bob.awaitType("message").path("data").path("n").asInt()).isEqualTo(1);
            tab1.assertAlive("alice's first tab, with no message");
            tab2.assertAlive("alice's second tab, with no message");
            // Unsubscribing again changes nothing and tells nobody.
            assertThat(post("/api/v1/users/alice/unsubscribe", "{\"channel\":\"room:1\"}", publishKey)
                            .status())
                    .isEqualTo(200);
            tab1.assertAlive();
        }
    }

    @Test
    void aUserSubscribedByTheServerReceivesFromThenOn() {
        try (WsRecorder carol = server.connectAs("carol")) {
            TestGatehouse.Reply r = post("/api/v1/users/carol/subscribe", "{\"channel\":\"room:2\"}", publishKey);
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            JsonNode subscribed = carol.awaitType("subscribed");
            assertThat(subscribed.path("channel").asText()).isEqualTo("room:2");
            assertThat(subscribed.has("id")).isFalse();
            server.publish("room:2", "{\"n\":2}");
            assertThat(carol.awaitType("message").path("data").path("n").asInt())
                    .isEqualTo(2);
            // Already subscribed: nothing more is sent.
            post("/api/v1/users/carol/subscribe", "{\"channel\":\"room:2\"}", publishKey);
            carol.assertAlive();
        }
    }

    @Test
    void badRequestsAreRefusedWithTheirCode() {
        TestGatehouse.Reply missing = post("/api/v1/users/alice/subscribe", "{}", publishKey);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        TestGatehouse.Reply badName = post("/api/v1/users/alice/subscribe", "{\"channel\":\"no spaces\"}", publishKey);
        assertThat(badName.status()).isEqualTo(400);
        TestGatehouse.Reply builtIn =
                post("/api/v1/users/alice/subscribe", "{\"channel\":\"gatehouse:stats\"}", publishKey);
        assertThat(builtIn.status()).isEqualTo(403);
        assertThat(builtIn.body().path("code").asText()).isEqualTo("PERMISSION_DENIED");
        TestGatehouse.Reply unknown = post("/api/v1/users/alice/subscribe", "{\"channel\":\"nowhere:1\"}", publishKey);
        assertThat(unknown.status()).isEqualTo(403);
        TestGatehouse.Reply revokeOnly =
                post("/api/v1/users/alice/subscribe", "{\"channel\":\"room:1\"}", "apikey " + server.apiKey("revoke"));
        assertThat(revokeOnly.status()).isEqualTo(403);
        TestGatehouse.Reply none = server.post("/api/v1/users/alice/subscribe", "{\"channel\":\"room:1\"}");
        assertThat(none.status()).isEqualTo(401);
    }
}
