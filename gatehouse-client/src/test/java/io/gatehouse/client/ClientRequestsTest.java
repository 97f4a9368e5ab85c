package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests and their replies, matched by id; refusals as exceptions with code and hint; no token in sight. */
class ClientRequestsTest {
    @RegisterExtension
    static final TestGatehouse server =
            new TestGatehouse().with("channels.namespaces.chat", Map.of("publish", "authenticated", "presence", true));

    private static GatehouseClient connected(String user, Recorder events) {
        GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), TokenProvider.of(Fixtures.jwt(user)), events)
                        .build());
        eventually().until(() -> client.state() == ConnectionState.CONNECTED);
        return client;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void publishSubscribePresenceAndHistoryAnswerThroughFutures() throws Exception {
        String user = unique("chatter");
        String channel = "chat:" + unique("room");
        Received room = new Received();
        try (GatehouseClient client = connected(user, new Recorder())) {
            ServerMessage.Subscribed subscribed = get(client.subscribe(channel, room));
            assertThat(subscribed.recovered()).isFalse();

            StreamPosition first = get(client.publish(channel, "{\"text\":\"hello\"}"));
            StreamPosition second = get(client.publish(
                    channel, JsonNodeFactory.instance.objectNode().put("text", "again")));
            assertThat(first.offset()).isEqualTo(1);
            assertThat(second).isEqualTo(new StreamPosition(2, first.epoch()));
            eventually().until(() -> room.publications.size() == 2);
            assertThat(room.data()).containsExactly("{\"text\":\"hello\"}", "{\"text\":\"again\"}");

            List<PresenceClient> here = get(client.presence(channel));
            assertThat(here).extracting(PresenceClient::userId).containsExactly(user);

            ServerMessage.History after = get(client.history(channel, first, -1));
            assertThat(after.publications()).extracting(Publication::offset).containsExactly(2L);
            assertThat(get(client.history(channel, null, 0)).position()).isEqualTo(second);

            get(client.unsubscribe(channel));
            get(client.publish(channel, "{\"text\":\"gone\"}"));
            get(client.ping()); // replies come in order: the publication would have arrived by now
            assertThat(room.publications).hasSize(2);
        }
    }

    @Test
    void anErrorReplyFailsTheFutureWithTheRefusalAndTheConnectionStays() throws Exception {
        try (GatehouseClient client = connected(unique("denied"), new Recorder())) {
            // Channels without a namespace are published to by the server API only.
            assertThatThrownBy(() -> get(client.publish("news", "{}")))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(RefusalException.class, e -> {
                        assertThat(e.refusal().code()).isEqualTo(RefusalCode.PERMISSION_DENIED);
                        assertThat(e.refusal().hint()).isNotBlank();
                    });
            Received inbox = new Received();
            assertThatThrownBy(() -> get(client.subscribe("inbox#someone-else", inbox)))
                    .cause()
                    .isInstanceOfSatisfying(
                            RefusalException.class,
                            e -> assertThat(e.refusal().code()).isEqualTo(RefusalCode.PERMISSION_DENIED));
            assertThat(get(client.ping())).isPositive();
            assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
            // A refused subscription is forgotten: it may be asked for again.
            assertThatThrownBy(() -> get(client.subscribe("inbox#someone-else", inbox)))
                    .cause()
                    .isInstanceOf(RefusalException.class);
        }
    }

    @Test
    void aPublicationToTheUsersPersonalChannelReachesTheClientListener() {
        String user = unique("personal");
        Recorder events = new Recorder();
        try (GatehouseClient client = connected(user, events)) {
            String key = server.apiKey("publish");
            assertThat(server.post(
                                    "/api/v1/publish",
                                    "{\"user\":\"" + user + "\",\"data\":{\"note\":1}}",
                                    "Authorization",
                                    "apikey " + key)
                            .status())
                    .isEqualTo(200);
            eventually().until(() -> events.personal.size() == 1);
            assertThat(events.personal.get(0).channel()).isEqualTo("#" + user);
            assertThat(events.personal.get(0).dataJson()).isEqualTo("{\"note\":1}");
        }
    }

    @Test
    void closingFailsWhatIsPendingAndLaterRequests() {
        GatehouseClient client = GatehouseClient.connect(
                options(server.ws(), reason -> new CompletableFuture<>(), new Recorder()) // never a token
                        .build());
        CompletableFuture<Duration> waiting = client.ping();
        client.close();
        assertThat(waiting)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(ConnectionLostException.class);
        assertThat(client.ping())
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(ConnectionLostException.class);
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void aChannelNameOutsideTheGrammarIsRefusedAtOnce() {
        try (GatehouseClient client = connected(unique("grammar"), new Recorder())) {
            assertThatThrownBy(() -> client.subscribe("no spaces", p -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Channel names");
        }
    }

    @Test
    void tokensAppearInNoStringNorException() {
        String secret = "ght_" + "s3cr3t".repeat(8);
        ClientOptions withQuery = options(server.ws("token=" + secret), TokenProvider.of(secret), new Recorder())
                .carrier(CredentialCarrier.QUERY)
                .build();
        assertThat(withQuery.toString()).doesNotContain(secret).contains("(masked)");

        // A token the subprotocol cannot carry: the client stops, and nothing it says quotes it.
        String spaced = "has spaces " + secret;
        Recorder events = new Recorder();
        try (GatehouseClient client = GatehouseClient.connect(options(server.ws(), TokenProvider.of(spaced), events)
                .carrier(CredentialCarrier.SUBPROTOCOL)
                .build())) {
            eventually().until(() -> events.stopped.size() == 1);
            assertThat(events.stopped.get(0).code()).isEqualTo(RefusalCode.BAD_REQUEST);
            assertThat(events.stopped.get(0).hint()).doesNotContain(secret);
            assertThat(client.toString()).doesNotContain(secret);
            assertThat(client.ping())
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableThat()
                    .satisfies(e -> assertThat(e.getCause().getMessage()).doesNotContain(secret));
            assertThat(events.states.toString()).doesNotContain(secret);
        }
    }
}
