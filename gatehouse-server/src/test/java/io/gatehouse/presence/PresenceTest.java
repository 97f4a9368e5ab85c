package io.gatehouse.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Who is in a channel (SPEC §4 {@code presence}, {@code join} / {@code leave}; §6
 * {@code GET channels/{ch}/presence}), end to end against a real server and JDK WebSocket clients.
 * {@code room} keeps presence and announces joins and leaves, {@code lobby} keeps presence
 * silently, {@code plain} keeps none. Every test uses channels of its own, so they share one server.
 */
class PresenceTest {
    static final Map<String, Object> ROOM = Map.of("presence", true, "join_leave", true);
    static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("channels.namespaces.room", ROOM)
            .with("channels.namespaces.lobby", Map.of("presence", true, "join_leave", false))
            .with("channels.namespaces.plain", Map.of("presence", false));

    static String publishKey;
    static String adminKey;

    @BeforeAll
    static void keys() {
        publishKey = "apikey " + server.apiKey("publish");
        adminKey = "apikey " + server.apiKey("admin");
    }

    /** A connected JDK client and the connection id that {@code connection_established} gave it. */
    record Client(WsRecorder ws, String id, String userId, String name) implements AutoCloseable {
        Client subscribe(String channel) {
            ws.subscribe(channel); // the next message must be its subscribed
            return this;
        }

        /**
         * Subscribes to a channel that keeps presence and checks, with a presence read on the same
         * connection, that this connection is listed.
         */
        Client enter(String channel) {
            subscribe(channel);
            JsonNode reply = presence(channel);
            assertThat(connectionIds(reply)).as(reply.toString()).contains(id);
            return this;
        }

        void unsubscribe(String channel) {
            ws.unsubscribe(channel); // the next message must be its unsubscribed
        }

        /** Sends {@code presence} with an id; the very next message is the reply (a join or leave before it fails). */
        JsonNode presence(String channel) {
            ws.send("{\"type\":\"presence\",\"id\":42,\"channel\":\"" + channel + "\"}");
            JsonNode reply = ws.awaitMessage();
            assertThat(reply.path("id").asInt()).as(reply.toString()).isEqualTo(42);
            return reply;
        }

        /** The next message, which must be a join or leave of {@code channel}; returns its client. */
        JsonNode await(String type, String channel) {
            JsonNode m = ws.awaitMessage();
            assertThat(m.path("type").asText()).as(m.toString()).isEqualTo(type);
            assertThat(m.path("channel").asText()).isEqualTo(channel);
            assertThat(fieldNames(m)).containsExactlyInAnyOrder("type", "channel", "client");
            return m.path("client");
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    static Client connect(TestGatehouse on, String userId, String name) {
        WsRecorder ws = on.connectWith(Jwts.hs256(Jwts.claims(userId).claim("name", name)));
        String id = ws.established().path("connection_id").asText();
        assertThat(id).isNotBlank();
        return new Client(ws, id, userId, name);
    }

    static Client connect(String userId) {
        return connect(server, userId, userId.substring(0, 1).toUpperCase() + userId.substring(1) + " Example");
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Asserts that {@code client} describes {@code c}: {connection_id, user_id, name, connected_at}. */
    static void assertDescribes(JsonNode client, Client c) {
        assertThat(fieldNames(client)).containsExactlyInAnyOrder("connection_id", "user_id", "name", "connected_at");
        assertThat(client.path("connection_id").asText()).isEqualTo(c.id());
        assertThat(client.path("user_id").asText()).isEqualTo(c.userId());
        assertThat(client.path("name").asText()).isEqualTo(c.name());
        assertThat(Instant.parse(client.path("connected_at").asText()))
                .isBefore(Instant.now().plusSeconds(1));
    }

    static List<String> connectionIds(JsonNode reply) {
        List<String> ids = new ArrayList<>();
        reply.path("clients").forEach(c -> ids.add(c.path("connection_id").asText()));
        return ids;
    }

    static JsonNode httpPresence(TestGatehouse on, String channel, String key) {
        TestGatehouse.Reply r = on.get("/api/v1/channels/" + channel + "/presence", "Authorization", key);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        return r.body();
    }

    // --- the presence message ---

    @Test
    void presenceListsEverySubscriberOldestConnectionFirst() {
        try (Client alice = connect("alice");
                Client bob = connect("bob")) {
            // bob subscribes first: the order is by connection age, not by subscription
            bob.enter("room:list");
            alice.enter("room:list");
            bob.await("join", "room:list");

            JsonNode reply = alice.presence("room:list");
            assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("presence");
            assertThat(reply.path("channel").asText()).isEqualTo("room:list");
            assertThat(reply.path("clients")).hasSize(2);
            assertDescribes(reply.path("clients").get(0), alice);
            assertDescribes(reply.path("clients").get(1), bob);
            Instant aliceAt = Instant.parse(
                    reply.path("clients").get(0).path("connected_at").asText());
            Instant bobAt = Instant.parse(
                    reply.path("clients").get(1).path("connected_at").asText());
            assertThat(aliceAt).isBeforeOrEqualTo(bobAt);

            assertThat(bob.presence("room:list").path("clients")).isEqualTo(reply.path("clients"));
        }
    }

    /** The server lists a client and announces its join before it sends {@code subscribed}. */
    @Test
    void aClientToldSubscribedIsAlreadyListed() {
        try (Client alice = connect("alice")) {
            for (int i = 0; i < 20; i++) {
                String channel = "room:told" + i;
                alice.subscribe(channel);
                assertThat(connectionIds(httpPresence(server, channel, publishKey)))
                        .containsExactly(alice.id());
            }
        }
    }

    @Test
    void presenceOfAChannelNobodyIsInIsAnEmptyList() {
        try (Client alice = connect("alice")) {
            JsonNode reply = alice.presence("room:empty");
            assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("presence");
            assertThat(reply.path("clients").isArray()).isTrue();
            assertThat(reply.path("clients")).isEmpty();
        }
    }

    @Test
    void aUserWithTwoConnectionsIsListedOncePerConnectionAndOnceAsAUser() {
        try (Client first = connect("carol");
                Client second = connect("carol")) {
            first.enter("room:twice");
            second.enter("room:twice");
            JsonNode reply = first.presence("room:twice"); // no join of carol's own second tab before it
            assertThat(connectionIds(reply)).containsExactly(first.id(), second.id());
            assertThat(reply.path("users").toString())
                    .isEqualTo("[{\"user_id\":\"carol\",\"name\":\"Carol Example\",\"connections\":2}]");
        }
    }

    @Test
    void aUserWithThreeTabsJoinsOnceAndLeavesOnceWhenTheLastTabGoes() {
        try (Client bob = connect("bob")) {
            bob.enter("room:tabs");
            List<Client> tabs = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    tabs.add(connect("dora").enter("room:tabs"));
                }
                JsonNode joined = bob.await("join", "room:tabs");
                assertThat(joined.path("user_id").asText()).isEqualTo("dora");
                JsonNode users = bob.presence("room:tabs").path("users"); // the very next message: one join only
                assertThat(users.toString())
                        .isEqualTo("[{\"user_id\":\"bob\",\"name\":\"Bob Example\",\"connections\":1},"
                                + "{\"user_id\":\"dora\",\"name\":\"Dora Example\",\"connections\":3}]");
                assertThat(httpPresence(server, "room:tabs", publishKey).path("users"))
                        .isEqualTo(users);

                tabs.get(0).unsubscribe("room:tabs");
                tabs.remove(0).close();
                tabs.remove(0).close();
                // Closed from the client: wait until the server let both go, then no leave may have come.
                org.awaitility.Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> httpPresence(server, "room:tabs", publishKey)
                                        .path("users")
                                        .path(1)
                                        .path("connections")
                                        .asInt()
                                == 1);
                assertThat(bob.presence("room:tabs")
                                .path("users")
                                .get(1)
                                .path("connections")
                                .asInt())
                        .as("dora's last tab is still there: no leave came before this reply")
                        .isEqualTo(1);
                tabs.remove(0).close();
                JsonNode left = bob.await("leave", "room:tabs");
                assertThat(left.path("user_id").asText()).isEqualTo("dora");
                assertThat(bob.presence("room:tabs").path("users").size()).isEqualTo(1);
                bob.ws().assertQuiet(QUIET);
            } finally {
                tabs.forEach(Client::close);
            }
        }
    }

    // --- join and leave ---

    @Test
    void aSubscriberIsToldWhenAnotherJoinsAndTheJoinerIsNotToldAboutItself() {
        try (Client alice = connect("alice");
                Client bob = connect("bob")) {
            alice.enter("room:join");
            bob.enter("room:join");
            assertDescribes(alice.await("join", "room:join"), bob);
            bob.ws().assertQuiet(QUIET);
        }
    }

    @Test
    void unsubscribingSendsLeaveToTheOthersAndLeavesPresence() {
        try (Client alice = connect("alice");
                Client bob = connect("bob")) {
            alice.enter("room:unsub");
            bob.enter("room:unsub");
            JsonNode joined = alice.await("join", "room:unsub");

            bob.unsubscribe("room:unsub");
            JsonNode left = alice.await("leave", "room:unsub");
            assertThat(left).isEqualTo(joined);
            assertThat(connectionIds(alice.presence("room:unsub"))).containsExactly(alice.id());
            bob.ws().assertQuiet(QUIET);
        }
    }

    @Test
    void subscribingAgainAfterUnsubscribingJoinsAgain() {
        try (Client alice = connect("alice");
                Client bob = connect("bob")) {
            alice.enter("room:again");
            bob.enter("room:again");
            alice.await("join", "room:again");
            bob.unsubscribe("room:again");
            alice.await("leave", "room:again");

            bob.enter("room:again");
            assertDescribes(alice.await("join", "room:again"), bob);
            assertThat(connectionIds(alice.presence("room:again"))).containsExactly(alice.id(), bob.id());
        }
    }

    @Test
    void closingTheSocketSendsLeaveAndLeavesPresence() {
        try (Client alice = connect("alice")) {
            Client bob = connect("bob");
            alice.enter("room:close");
            bob.enter("room:close");
            alice.await("join", "room:close");

            bob.close();
            assertDescribes(alice.await("leave", "room:close"), bob);
            assertThat(connectionIds(alice.presence("room:close"))).containsExactly(alice.id());
        }
    }

    @Test
    void anAbortedSocketWithoutACloseFrameLeavesPresencePromptly() {
        try (Client alice = connect("alice")) {
            Client bob = connect("bob");
            alice.enter("room:abort");
            bob.enter("room:abort");
            alice.await("join", "room:abort");

            long start = System.nanoTime();
            bob.ws().socket().abort(); // TCP goes, no close frame
            assertDescribes(alice.await("leave", "room:abort"), bob);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("an aborted socket left presence " + took.toMillis() + " ms after");
            // Otherwise only the heartbeat would end it, interval + timeout after its last frame
            // (25 s + 10 s by default): the leave, awaited up to WsRecorder.TIMEOUT, comes far inside
            // that, so the lost TCP connection itself ended the presence. (A 2 s stopwatch here
            // measured the machine.)
            GatehouseConfig.Heartbeat heartbeat = server.gatehouse().config().heartbeat();
            assertThat(took)
                    .isLessThan(heartbeat.interval().plus(heartbeat.timeout()).dividedBy(3));
            assertThat(connectionIds(alice.presence("room:abort"))).containsExactly(alice.id());
        }
    }

    /**
     * A client that stops answering pings and sending, without closing: the heartbeat closes it
     * interval + timeout after its last traffic, and it must leave presence then, not only once TCP
     * is finally dropped (2 s later, when it has not answered the close frame either).
     *
     * <p>Checked by order, not by a stopwatch (a 1.5 s deadline measured the machine): the server
     * unlists a connection (in the memory broker, at once) before it writes its close frame, so once
     * the silent client has read the close frame, presence no longer lists it. Leaving at the TCP
     * drop instead would still list it then. The heartbeat is long enough for the other client,
     * which answers pings, to stay.
     */
    @Test
    void aConnectionThatGoesSilentLeavesPresenceWithinTheHeartbeatWindow() throws Exception {
        Duration interval = Duration.ofMillis(250);
        Duration timeout = Duration.ofMillis(1750);
        try (TestGatehouse hb = new TestGatehouse()
                        .with("heartbeat.interval", interval.toMillis() + "ms")
                        .with("heartbeat.timeout", timeout.toMillis() + "ms")
                        .with("channels.namespaces.room", ROOM)
                        .start();
                Client alice = connect(hb, "alice", "Alice");
                RawWebSocket mute = RawWebSocket.connect(hb.ws(), "Authorization: Bearer " + Jwts.hs256For("mute"))) {
            String publishKeyHere = "apikey " + hb.apiKey("publish");
            alice.enter("room:hb");
            JsonNode established =
                    TestGatehouse.JSON.readTree(mute.readFrame(5000).text());
            assertThat(established.path("type").asText()).isEqualTo("connection_established");
            String muteId = established.path("connection_id").asText();

            long lastTraffic = System.nanoTime(); // from here on it sends nothing
            mute.sendText("{\"type\":\"subscribe\",\"channel\":\"room:hb\"}");
            assertThat(alice.await("join", "room:hb").path("connection_id").asText())
                    .isEqualTo(muteId);
            assertThat(connectionIds(httpPresence(hb, "room:hb", publishKeyHere)))
                    .containsExactly(alice.id(), muteId);

            // Reading what the server sent (its pings, then the close frame) sends it nothing.
            RawWebSocket.Frame close = mute.awaitClose(15_000);
            Duration gone = Duration.ofNanos(System.nanoTime() - lastTraffic);
            assertThat(close.closeReason()).isEqualTo("HEARTBEAT_TIMEOUT");
            assertThat(connectionIds(httpPresence(hb, "room:hb", publishKeyHere)))
                    .as("presence once the close frame was sent, before TCP is dropped")
                    .containsExactly(alice.id());
            System.out.println("the silent connection was closed " + gone.toMillis() + " ms after its last frame");
            assertThat(gone).isGreaterThanOrEqualTo(interval.plus(timeout)); // the clock started before it
            JsonNode left = alice.await("leave", "room:hb");
            assertThat(left.path("connection_id").asText()).isEqualTo(muteId);
            assertThat(left.path("user_id").asText()).isEqualTo("mute");
        }
    }

    // --- namespace rules ---

    @Test
    void aNamespaceWithoutJoinLeaveKeepsPresenceButSendsNoJoinOrLeave() {
        try (Client alice = connect("alice");
                Client bob = connect("bob")) {
            alice.enter("lobby:1");
            bob.enter("lobby:1");
            JsonNode reply = alice.presence("lobby:1"); // the next message: no join came before it
            assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("presence");
            assertThat(reply.path("clients")).hasSize(2);
            assertDescribes(reply.path("clients").get(0), alice);
            assertDescribes(reply.path("clients").get(1), bob);
            alice.ws().assertQuiet(QUIET);

            bob.unsubscribe("lobby:1");
            assertThat(connectionIds(alice.presence("lobby:1"))).containsExactly(alice.id());
            assertThat(connectionIds(httpPresence(server, "lobby:1", publishKey)))
                    .containsExactly(alice.id());
            alice.ws().assertQuiet(QUIET);
        }
    }

    @Test
    void presenceWhereTheNamespaceKeepsNoneIsABadRequestNamingPresence() {
        try (Client alice = connect("alice")) {
            alice.subscribe("plain:1");
            JsonNode error = alice.presence("plain:1");
            assertThat(error.path("type").asText()).as(error.toString()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(error.path("message").asText()).containsIgnoringCase("presence");
            alice.ws().assertAlive();
        }
    }

    @Test
    void noJoinOrLeaveIsSentWhereTheNamespaceKeepsNoPresence() {
        try (Client alice = connect("alice");
                Client bob = connect("bob")) {
            // the control: where the namespace keeps presence, the same steps tell alice
            alice.enter("room:loud");
            bob.enter("room:loud");
            alice.await("join", "room:loud");
            bob.unsubscribe("room:loud");
            alice.await("leave", "room:loud");

            alice.subscribe("plain:quiet");
            bob.subscribe("plain:quiet");
            // both subscriptions are live: a publication is the next thing each gets, no join before it
            server.publish("plain:quiet", "1");
            for (Client c : List.of(alice, bob)) {
                JsonNode m = c.ws().awaitMessage();
                assertThat(m.path("type").asText()).as(m.toString()).isEqualTo("message");
                assertThat(m.path("channel").asText()).isEqualTo("plain:quiet");
            }
            bob.unsubscribe("plain:quiet");
            alice.ws().assertQuiet(QUIET);
        }
    }

    @ParameterizedTest(name = "{0} asks presence of {1}")
    @CsvSource({
        "bob, room:secret#alice",
        "bob, 'room:pair#alice,carol'",
        "alice, nons:1",
    })
    void aUserWhoMayNotSubscribeIsDeniedPresence(String user, String channel) {
        try (Client c = connect(user)) {
            JsonNode error = c.presence(channel);
            assertThat(error.path("type").asText()).as(error.toString()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("PERMISSION_DENIED");
        }
    }

    @Test
    void aListedUserMaySeePresenceOfAUserLimitedChannel() {
        try (Client alice = connect("alice")) {
            alice.enter("room:secret#alice");
            JsonNode reply = alice.presence("room:secret#alice");
            assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("presence");
            assertThat(connectionIds(reply)).containsExactly(alice.id());
        }
    }

    // --- GET /api/v1/channels/{ch}/presence ---

    @Test
    void httpPresenceListsTheSameClientsAsTheWebSocketReply() {
        try (Client alice = connect("alice");
                Client bob = connect("bob")) {
            alice.enter("room:http");
            bob.enter("room:http");
            alice.await("join", "room:http");
            ObjectNode viaWs = alice.presence("room:http").deepCopy();
            viaWs.remove("type");
            viaWs.remove("id");

            JsonNode viaHttp = httpPresence(server, "room:http", publishKey);
            assertThat(viaHttp).isEqualTo(viaWs);
            assertThat(connectionIds(viaHttp)).containsExactly(alice.id(), bob.id());
            assertThat(httpPresence(server, "room:http", adminKey)).isEqualTo(viaWs);
        }
    }

    @Test
    void httpPresenceOfAUserLimitedChannelTakesThePercentEncodedHash() {
        try (Client alice = connect("alice")) {
            alice.enter("room:inbox#alice");
            JsonNode reply = httpPresence(server, "room:inbox%23alice", publishKey);
            assertThat(reply.path("channel").asText()).isEqualTo("room:inbox#alice");
            assertThat(connectionIds(reply)).containsExactly(alice.id());
        }
    }

    @Test
    void httpPresenceWhereTheNamespaceKeepsNoneIsABadRequestNamingPresence() {
        TestGatehouse.Reply r = server.get("/api/v1/channels/plain:1/presence", "Authorization", publishKey);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(r.body().path("hint").asText()).containsIgnoringCase("presence");
    }

    @Test
    void httpPresenceWithoutAKeyIsRefused() {
        TestGatehouse.Reply r = server.get("/api/v1/channels/room:http/presence");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("code").asText()).isEqualTo("TOKEN_MISSING");
        assertThat(r.body().has("clients")).isFalse();
    }
}
