package io.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The channel permission matrix of SPEC §5, end to end. */
class ChannelPermissionTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("channels.namespaces.chat.publish", "authenticated")
            .with("channels.namespaces.secret.subscribe", "none")
            .with("channels.namespaces.ops.subscribe", "admin");

    /** A connection for {@code user}; {@code kind} is plain, admin, or claim:CHANNEL. */
    static WsRecorder connect(String user, String kind) {
        List<String> roles = kind.equals("admin") ? List.of("admin") : List.of();
        List<String> channels = kind.startsWith("claim:") ? List.of(kind.substring(6)) : List.of();
        return server.connectWith(Jwts.hs256For(user, roles, channels));
    }

    @ParameterizedTest(name = "{0} ({1}) subscribing to {2}: {3}")
    @CsvSource({
        "alice, plain, news, subscribed",
        "alice, plain, chat:room, subscribed",
        "alice, plain, secret:x, PERMISSION_DENIED",
        "alice, claim:secret:x, secret:x, subscribed",
        "alice, claim:secret:x, secret:y, PERMISSION_DENIED",
        "alice, plain, ops:x, PERMISSION_DENIED",
        "root, admin, ops:x, subscribed",
        "root, admin, secret:x, subscribed",
        "alice, plain, inbox#alice, subscribed",
        "bob, plain, inbox#alice, PERMISSION_DENIED",
        "alice, plain, 'dialog#alice,bob', subscribed",
        "bob, plain, 'dialog#alice,bob', subscribed",
        "carol, plain, 'dialog#alice,bob', PERMISSION_DENIED",
        "root, admin, inbox#alice, subscribed",
        "alice, plain, secret:box#alice, PERMISSION_DENIED",
        "alice, plain, ops:box#alice, PERMISSION_DENIED",
        "alice, plain, chat:box#alice, subscribed",
        "bob, plain, chat:box#alice, PERMISSION_DENIED",
        "alice, plain, unknown:x, PERMISSION_DENIED",
        "alice, plain, bad channel!, BAD_REQUEST",
        "alice, plain, :nothing, BAD_REQUEST",
        "alice, plain, inbox#, BAD_REQUEST",
        "alice, plain, 'inbox#alice,,bob', BAD_REQUEST",
    })
    void subscribeMatrix(String user, String kind, String channel, String outcome) {
        try (WsRecorder ws = connect(user, kind)) {
            JsonNode reply = ws.subscribeReply(channel, 1);
            if (outcome.equals("subscribed")) {
                assertThat(reply.path("type").asText()).isEqualTo("subscribed");
                assertThat(reply.path("channel").asText()).isEqualTo(channel);
                assertThat(reply.path("recovered").asBoolean()).isFalse();
                assertThat(reply.path("epoch").asText()).isNotEmpty();
            } else {
                assertThat(reply.path("type").asText()).isEqualTo("error");
                assertThat(reply.path("code").asText()).isEqualTo(outcome);
                assertThat(reply.path("id").asInt()).isEqualTo(1);
                assertThat(reply.path("message").asText()).isNotBlank();
            }
        }
    }

    @Test
    void aChannelNameLongerThan255IsABadRequest() {
        try (WsRecorder ws = connect("alice", "plain")) {
            assertThat(ws.subscribeReply("a".repeat(256), 1).path("code").asText())
                    .isEqualTo("BAD_REQUEST");
            ws.subscribe("a".repeat(255));
        }
    }

    @Test
    void unknownNamespaceRefusalNamesTheConfigKey() {
        try (WsRecorder ws = connect("alice", "plain")) {
            assertThat(ws.subscribeReply("unknown:x", 1).path("message").asText())
                    .contains("channels.namespaces.unknown");
        }
    }

    @Test
    void clientsPublishOnlyWhereTheNamespaceSaysAuthenticated() {
        try (WsRecorder alice = connect("alice", "plain");
                WsRecorder bob = connect("bob", "plain")) {
            bob.subscribe("chat:room");
            alice.send("{\"type\":\"publish\",\"id\":2,\"channel\":\"chat:room\",\"data\":{\"text\":\"hi\"}}");
            JsonNode published = alice.awaitMessage();
            assertThat(published.path("type").asText()).isEqualTo("published");
            assertThat(published.path("id").asInt()).isEqualTo(2);
            assertThat(published.path("offset").asLong()).isEqualTo(1);
            JsonNode message = bob.awaitType("message");
            assertThat(message.path("channel").asText()).isEqualTo("chat:room");
            assertThat(message.path("data").path("text").asText()).isEqualTo("hi");
            assertThat(message.path("offset").asLong()).isEqualTo(1);
            assertThat(message.path("published_at").asText()).isNotBlank();

            alice.send("{\"type\":\"publish\",\"id\":3,\"channel\":\"news\",\"data\":1}");
            JsonNode denied = alice.awaitMessage();
            assertThat(denied.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            assertThat(denied.path("message").asText()).contains("server");

            alice.send("{\"type\":\"publish\",\"id\":4,\"channel\":\"chat:room#bob\",\"data\":1}");
            assertThat(alice.awaitMessage().path("code").asText()).isEqualTo("PERMISSION_DENIED");

            alice.send("{\"type\":\"publish\",\"id\":5,\"channel\":\"chat:room\"}");
            assertThat(alice.awaitMessage().path("code").asText()).isEqualTo("BAD_REQUEST");
        }
    }

    @Test
    void unsubscribeStopsDelivery() {
        try (WsRecorder ws = connect("alice", "plain");
                WsRecorder control = connect("carol", "plain")) {
            ws.subscribe("news");
            control.subscribe("news");
            ws.send("{\"type\":\"unsubscribe\",\"id\":9,\"channel\":\"news\"}");
            JsonNode reply = ws.awaitMessage();
            assertThat(reply.path("type").asText()).isEqualTo("unsubscribed");
            assertThat(reply.path("id").asInt()).isEqualTo(9);
            server.publish("news", "1"); // fails unless 200
            // the publication was delivered to a subscriber that stayed, so silence below is the unsubscribe's
            assertThat(control.awaitType("message").path("data").asInt()).isEqualTo(1);
            ws.assertQuiet(Duration.ofMillis(300));
        }
    }

    @Test
    void publishToAUserReachesEveryConnectionOfThatUserAndNoOneElse() {
        String key = server.apiKey("publish");
        try (WsRecorder alice1 = connect("alice", "plain");
                WsRecorder alice2 = connect("alice", "plain");
                WsRecorder bob = connect("bob", "plain");
                WsRecorder admin = connect("root", "admin")) {
            TestGatehouse.Reply r = server.post(
                    "/api/v1/publish", "{\"user\":\"alice\",\"data\":{\"n\":1}}", "Authorization", "apikey " + key);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("offset").asLong()).isEqualTo(1);
            for (WsRecorder ws : List.of(alice1, alice2)) {
                JsonNode m = ws.awaitType("message");
                assertThat(m.path("channel").asText()).isEqualTo("#alice");
                assertThat(m.path("data").path("n").asInt()).isEqualTo(1);
            }
            bob.assertQuiet(Duration.ofMillis(300));
            admin.assertQuiet(Duration.ofMillis(100));
        }
    }
}
