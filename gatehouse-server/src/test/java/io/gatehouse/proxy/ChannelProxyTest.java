package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.proxy.ApplicationBackend.Answer;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The subscribe and publish proxies end to end (docs/integrations.md): a real server asks a real
 * application endpoint (a JDK HttpServer checking the signature) and acts on its answers.
 */
class ChannelProxyTest {
    static final String PROXY_SECRET = "proxy-secret-that-is-at-least-32-bytes-long";

    final ApplicationBackend app = new ApplicationBackend(PROXY_SECRET);
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        app.close();
    }

    /** A server asking {@link #app}; {@code more} are further key/value pairs, set last. */
    TestGatehouse server(String cacheTtl, String recheck, Object... more) {
        TestGatehouse s = new TestGatehouse()
                .with(ConfigKey.CHANNELS_PROXY_URL.key(), app.url())
                .with(ConfigKey.CHANNELS_PROXY_SECRET.key(), PROXY_SECRET)
                .with(ConfigKey.CHANNELS_PROXY_TIMEOUT.key(), "1s")
                .with(ConfigKey.CHANNELS_PROXY_CACHE_TTL.key(), cacheTtl)
                .with(ConfigKey.CHANNELS_PROXY_RECHECK_INTERVAL.key(), recheck)
                .with("channels.namespaces.room.subscribe", "proxy")
                .with("channels.namespaces.room.presence", true)
                .with("channels.namespaces.chat.publish", "proxy");
        for (int i = 0; i < more.length; i += 2) {
            s.with((String) more[i], more[i + 1]);
        }
        s.start();
        open.add(0, s);
        return s;
    }

    /** The application allows the users of the returned set (it starts with {@code first}) and denies the others with {@code reason}. */
    Set<String> membersDecide(String reason, String... first) {
        Set<String> members = ConcurrentHashMap.newKeySet();
        members.addAll(List.of(first));
        app.decide =
                call -> members.contains(call.path("user").path("id").asText()) ? Answer.allow() : Answer.deny(reason);
        return members;
    }

    WsRecorder connect(TestGatehouse s, String user) {
        WsRecorder ws = s.connectAs(user);
        open.add(0, ws);
        return ws;
    }

    @Test
    void aRoomWhoseMembersChangeEndsTheSubscriptionOnTheNextRecheck() {
        Set<String> members = ConcurrentHashMap.newKeySet();
        members.add("alice");
        app.decide = call -> members.contains(call.path("user").path("id").asText())
                ? new Answer(200, "{\"allow\":true,\"data\":{\"role\":\"member\"}}")
                : Answer.deny("not a member of " + call.path("channel").asText());
        TestGatehouse s = server("100ms", "500ms");
        WsRecorder alice = connect(s, "alice");
        JsonNode subscribed = alice.subscribe("room:42");
        assertThat(subscribed.path("data").path("role").asText()).isEqualTo("member");
        JsonNode call = app.calls("subscribe").get(0);
        assertThat(call.path("channel").asText()).isEqualTo("room:42");
        assertThat(call.path("user").path("id").asText()).isEqualTo("alice");
        assertThat(call.path("connection_id").asText())
                .isEqualTo(alice.established().path("connection_id").asText());

        s.publish("room:42", "{\"n\":1}");
        assertThat(alice.awaitType("message").path("data").path("n").asInt()).isEqualTo(1);

        members.remove("alice");
        JsonNode ended = alice.awaitType("unsubscribed");
        assertThat(ended.path("channel").asText()).isEqualTo("room:42");
        assertThat(ended.path("code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(ended.path("message").asText()).isEqualTo("not a member of room:42");
        s.publish("room:42", "{\"n\":2}");
        alice.assertAlive("alice after her subscription ended"); // the pong comes, no message before it

        JsonNode denied = alice.subscribeReply("room:42", 7);
        assertThat(denied.path("type").asText()).isEqualTo("error");
        assertThat(denied.path("code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(denied.path("id").asInt()).isEqualTo(7);
        assertThat(app.forged.get()).isZero();
    }

    @Test
    void aServerSideUnsubscribeForgetsTheCachedAllowSoTheNextSubscribeAsksAgain() {
        Set<String> members = membersDecide("removed from the room", "alice");
        TestGatehouse s = server("5m", "5m");
        WsRecorder alice = connect(s, "alice");
        alice.subscribe("room:7");
        members.remove("alice");
        String key = "apikey " + s.apiKey("publish");
        TestGatehouse.Reply r =
                s.post("/api/v1/users/alice/unsubscribe", "{\"channel\":\"room:7\"}", "Authorization", key);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        assertThat(alice.awaitType("unsubscribed").path("code").asText()).isEqualTo("PERMISSION_DENIED");
        JsonNode again = alice.subscribeReply("room:7", 3);
        assertThat(again.path("code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(again.path("message").asText()).isEqualTo("removed from the room");
        assertThat(app.calls("subscribe")).hasSize(2);
    }

    @Test
    void aPublishWhereTheApplicationDecidesSubscriptionsNeedsItsYesToo() {
        app.decide = call -> call.path("user").path("id").asText().equals("alice")
                ? Answer.allow()
                : Answer.deny("not in this room");
        TestGatehouse s = server(
                "30s", "5m", "channels.namespaces.talk", Map.of("subscribe", "proxy", "publish", "authenticated"));
        WsRecorder alice = connect(s, "alice");
        alice.subscribe("talk:1");
        WsRecorder mallory = connect(s, "mallory");
        mallory.sendJson("{\"type\":\"publish\",\"channel\":\"talk:1\",\"data\":{\"x\":1},\"id\":1}");
        JsonNode refused = mallory.awaitMessage();
        assertThat(refused.path("code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(refused.path("message").asText()).isEqualTo("not in this room");
        alice.sendJson("{\"type\":\"publish\",\"channel\":\"talk:1\",\"data\":{\"x\":2},\"id\":2}");
        assertThat(alice.awaitType("message").path("data").path("x").asInt()).isEqualTo(2);
    }

    @Test
    void anExpiryThatIsNoTimeIsBackendUnavailableAndLeavesNothingStuck() {
        List<String> answers = new CopyOnWriteArrayList<>(
                List.of("{\"allow\":true,\"expires_at\":1e20}", "{\"allow\":true,\"expires_at\":99999999999999999}"));
        app.decide = call -> answers.isEmpty() ? Answer.allow() : new Answer(200, answers.remove(0));
        TestGatehouse s = server("30s", "5m");
        WsRecorder alice = connect(s, "alice");
        for (int i = 1; i <= 2; i++) {
            JsonNode refused = alice.subscribeReply("room:odd", i);
            assertThat(refused.path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
            assertThat(refused.path("message").asText()).contains("expires_at");
        }
        alice.subscribe("room:odd"); // asked again, not stuck behind the odd answers
    }

    @Test
    void aServerSideUnsubscribeForgetsTheCachedAllowEvenWhereTheUserHasNoConnection() {
        Set<String> members = membersDecide("removed from the room", "alice");
        TestGatehouse s = server("5m", "5m");
        WsRecorder first = s.connectAs("alice");
        first.subscribe("room:8");
        first.close();
        members.remove("alice");
        TestGatehouse.Reply r = s.post(
                "/api/v1/users/alice/unsubscribe",
                "{\"channel\":\"room:8\"}",
                "Authorization",
                "apikey " + s.apiKey("publish"));
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        WsRecorder again = connect(s, "alice");
        assertThat(again.subscribeReply("room:8", 1).path("code").asText()).isEqualTo("PERMISSION_DENIED");
    }

    @Test
    void aRefreshThatDropsTheChannelsClaimHandsTheSubscriptionToTheApplication() {
        app.decide = call -> Answer.deny("no longer invited");
        TestGatehouse s = server("30s", "5m");
        WsRecorder carol = s.connectWith(Jwts.hs256For("carol", List.of(), List.of("room:5")));
        open.add(0, carol);
        carol.subscribe("room:5");
        assertThat(app.calls).isEmpty();
        carol.sendJson("{\"type\":\"refresh\",\"id\":1,\"token\":\"" + Jwts.hs256For("carol") + "\"}");
        assertThat(carol.awaitType("refreshed").path("id").asInt()).isEqualTo(1);
        JsonNode ended = carol.awaitType("unsubscribed");
        assertThat(ended.path("code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(ended.path("message").asText()).isEqualTo("no longer invited");
    }

    @Test
    void anUnsubscribeWhileTheApplicationIsAskedDropsTheSubscribe() {
        app.delayMillis = 500;
        TestGatehouse s = server("30s", "5m");
        WsRecorder alice = connect(s, "alice");
        alice.sendJson("{\"type\":\"subscribe\",\"channel\":\"room:3\",\"id\":1}");
        alice.sendJson("{\"type\":\"unsubscribe\",\"channel\":\"room:3\",\"id\":2}");
        assertThat(alice.awaitMessage().path("type").asText()).isEqualTo("unsubscribed");
        JsonNode dropped = alice.awaitMessage();
        assertThat(dropped.path("id").asInt()).isEqualTo(1);
        assertThat(dropped.path("code").asText()).isEqualTo("BAD_REQUEST");
        s.publish("room:3", "{\"n\":1}");
        alice.assertAlive("alice, not subscribed after all");
    }

    @Test
    void anAllowThatExpiresIsAskedAgainAtItsExpiry() throws Exception {
        app.decide = call -> new Answer(
                200, "{\"allow\":true,\"expires_at\":\"" + Instant.now().plusMillis(700) + "\"}");
        TestGatehouse s = server("30s", "5m");
        WsRecorder alice = connect(s, "alice");
        alice.subscribe("room:1");
        Thread.sleep(1_800);
        assertThat(app.calls("subscribe"))
                .as("asked again at each expiry, past the 30 s cache")
                .hasSizeGreaterThanOrEqualTo(2);
        s.publish("room:1", "{\"still\":true}");
        assertThat(alice.awaitType("message").path("data").path("still").asBoolean())
                .isTrue();
    }

    @Test
    void historyAndPresenceFollowTheSubscribeDecision() {
        app.decide =
                call -> call.path("user").path("id").asText().equals("mallory") ? Answer.deny("no") : Answer.allow();
        TestGatehouse s = server("30s", "5m");
        WsRecorder mallory = connect(s, "mallory");
        mallory.sendJson("{\"type\":\"history\",\"channel\":\"room:9\",\"id\":1}");
        assertThat(mallory.awaitMessage().path("code").asText()).isEqualTo("PERMISSION_DENIED");
        mallory.sendJson("{\"type\":\"presence\",\"channel\":\"room:9\",\"id\":2}");
        assertThat(mallory.awaitMessage().path("code").asText()).isEqualTo("PERMISSION_DENIED");
        WsRecorder bob = connect(s, "bob");
        bob.sendJson("{\"type\":\"presence\",\"channel\":\"room:9\",\"id\":3}");
        assertThat(bob.awaitMessage().path("type").asText()).isEqualTo("presence");
    }

    @Test
    void anAdminAndTheChannelsClaimNeedNoAnswer() {
        app.decide = call -> Answer.deny("no");
        TestGatehouse s = server("30s", "5m");
        WsRecorder admin = s.connectWith(Jwts.hs256For("root", List.of("admin"), List.of()));
        open.add(0, admin);
        admin.subscribe("room:1");
        WsRecorder claimed = s.connectWith(Jwts.hs256For("carol", List.of(), List.of("room:2")));
        open.add(0, claimed);
        claimed.subscribe("room:2");
        assertThat(app.calls).isEmpty();
    }

    @Test
    void aBackendThatIsDownOrSlowRefusesWithBackendUnavailableAndStallsNoEventLoop() {
        TestGatehouse s = server("30s", "5m");
        WsRecorder alice = connect(s, "alice");
        WsRecorder bob = connect(s, "bob");
        app.delayMillis = 3_000; // past channels.proxy.timeout (1 s)
        alice.sendJson("{\"type\":\"subscribe\",\"channel\":\"room:slow\",\"id\":1}");
        for (int i = 0; i < 5; i++) { // both connections answer while the call waits
            long start = System.nanoTime();
            bob.assertAlive("bob while alice's subscribe waits");
            alice.sendJson("{\"type\":\"ping\"}");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        }
        JsonNode refused = alice.awaitType("error");
        assertThat(refused.path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
        assertThat(refused.path("message").asText()).contains("channels.proxy.timeout");

        app.delayMillis = 0;
        app.close(); // down: nothing listens
        JsonNode down = alice.subscribeReply("room:down", 2);
        assertThat(down.path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
        bob.assertAlive();
    }

    @Test
    void aThousandConcurrentSubscribesMakeOneCallPerChannel() throws Exception {
        app.delayMillis = 500;
        TestGatehouse s = server("30s", "5m", ConfigKey.LIMITS_CONNECTIONS_PER_USER.key(), 101);
        List<WsRecorder> tabs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            tabs.add(connect(s, "crowd"));
        }
        for (WsRecorder tab : tabs) {
            for (int ch = 0; ch < 10; ch++) {
                tab.sendJson("{\"type\":\"subscribe\",\"channel\":\"room:" + ch + "\"}");
            }
        }
        int subscribed = 0;
        for (WsRecorder tab : tabs) {
            for (int ch = 0; ch < 10; ch++) {
                assertThat(tab.awaitMessage().path("type").asText()).isEqualTo("subscribed");
                subscribed++;
            }
        }
        assertThat(subscribed).isEqualTo(1_000);
        assertThat(app.calls("subscribe")).hasSize(10);
        WsRecorder late = connect(s, "crowd-late");
        late.subscribe("room:0"); // another user: its own call
        WsRecorder again = connect(s, "crowd");
        again.subscribe("room:0"); // cached for crowd
        assertThat(app.calls("subscribe")).hasSize(11);
    }

    @Test
    void oneConnectionCannotHoldMoreThanSixteenCallsOpen() {
        app.delayMillis = 800;
        TestGatehouse s = server("30s", "5m");
        WsRecorder greedy = connect(s, "greedy");
        for (int ch = 0; ch < 40; ch++) {
            greedy.sendJson("{\"type\":\"subscribe\",\"channel\":\"room:" + ch + "\",\"id\":" + ch + "}");
        }
        int limited = 0;
        int subscribed = 0;
        for (int i = 0; i < 40; i++) {
            JsonNode m = greedy.awaitMessage();
            if (m.path("code").asText().equals("RATE_LIMITED")) {
                limited++;
            } else if (m.path("type").asText().equals("subscribed")) {
                subscribed++;
            }
        }
        assertThat(subscribed).isEqualTo(16);
        assertThat(limited).isEqualTo(24);
        assertThat(app.mostUnderWay.get()).isLessThanOrEqualTo(16);
        WsRecorder other = connect(s, "other");
        app.delayMillis = 0;
        other.subscribe("room:0");
    }

    @Test
    void anAnswerLongerThan64KiBIsNotReadAndRefusesWithBackendUnavailable() {
        app.decide = call -> new Answer(200, "{\"allow\":true,\"data\":\"" + "x".repeat(70_000) + "\"}");
        TestGatehouse s = server("30s", "5m");
        WsRecorder alice = connect(s, "alice");
        JsonNode refused = alice.subscribeReply("room:big", 1);
        assertThat(refused.path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
        assertThat(refused.path("message").asText()).contains("more than 65536 bytes");
    }

    @Test
    void theNodeHoldsAtMost256CallsAndRefusesTheRestAtOnce() {
        app.delayMillis = 2_000;
        TestGatehouse s = server("30s", "5m", ConfigKey.CHANNELS_PROXY_TIMEOUT.key(), "5s");
        List<WsRecorder> clients = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            clients.add(connect(s, "user-" + i));
        }
        for (WsRecorder c : clients) {
            for (int ch = 0; ch < 16; ch++) { // 272 asks, each within the per-connection bound
                c.sendJson("{\"type\":\"subscribe\",\"channel\":\"room:" + ch + "\"}");
            }
        }
        int subscribed = 0;
        int unavailable = 0;
        for (WsRecorder c : clients) {
            for (int ch = 0; ch < 16; ch++) {
                JsonNode m = c.awaitMessage();
                if (m.path("type").asText().equals("subscribed")) {
                    subscribed++;
                } else if (m.path("code").asText().equals("BACKEND_UNAVAILABLE")) {
                    assertThat(m.path("message").asText()).contains("256 calls");
                    unavailable++;
                }
            }
        }
        assertThat(subscribed).isEqualTo(256);
        assertThat(unavailable).isEqualTo(16);
        assertThat(app.mostUnderWay.get()).isLessThanOrEqualTo(256);
    }

    @Test
    void aPublishIsRejectedOrRewrittenByTheApplicationBeforeAnyoneSeesIt() {
        List<String> stored = new CopyOnWriteArrayList<>();
        app.decide = call -> {
            String text = call.path("data").path("text").asText();
            if (text.contains("spam")) {
                return new Answer(200, "{\"allow\":false,\"reason\":\"Messages may not contain links to spam\"}");
            }
            stored.add(text);
            return new Answer(
                    200,
                    "{\"allow\":true,\"data\":{\"text\":" + ApplicationBackend.JSON.valueToTree(text.trim())
                            + ",\"id\":" + stored.size() + ",\"by\":"
                            + ApplicationBackend.JSON.valueToTree(
                                    call.path("user").path("id").asText()) + "}}");
        };
        TestGatehouse s = server("30s", "5m");
        WsRecorder reader = connect(s, "reader");
        reader.subscribe("chat:lobby");
        WsRecorder writer = connect(s, "writer");

        writer.sendJson("{\"type\":\"publish\",\"channel\":\"chat:lobby\",\"data\":{\"text\":\"buy spam\"},\"id\":1}");
        JsonNode rejected = writer.awaitMessage();
        assertThat(rejected.path("code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(rejected.path("message").asText()).isEqualTo("Messages may not contain links to spam");
        assertThat(rejected.path("id").asInt()).isEqualTo(1);

        writer.sendJson("{\"type\":\"publish\",\"channel\":\"chat:lobby\",\"data\":{\"text\":\"  hello  \"},\"id\":2}");
        JsonNode published = writer.awaitMessage();
        assertThat(published.path("type").asText()).isEqualTo("published");
        JsonNode seen = reader.awaitType("message");
        assertThat(seen.path("data").toString()).isEqualTo("{\"text\":\"hello\",\"id\":1,\"by\":\"writer\"}");
        assertThat(seen.path("offset").asLong())
                .isEqualTo(published.path("offset").asLong());
        assertThat(stored).containsExactly("  hello  ");
        reader.assertAlive("the reader, with nothing from the rejected publish");
    }

    @Test
    void aPublishIsNotMadeWhenTheApplicationCannotAnswer() {
        TestGatehouse s = server("30s", "5m");
        WsRecorder reader = connect(s, "reader");
        reader.subscribe("chat:lobby");
        app.decide = call -> new Answer(500, "oops");
        WsRecorder writer = connect(s, "writer");
        writer.sendJson("{\"type\":\"publish\",\"channel\":\"chat:lobby\",\"data\":{\"text\":\"hi\"},\"id\":1}");
        JsonNode refused = writer.awaitMessage();
        assertThat(refused.path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
        assertThat(refused.path("message").asText()).contains("HTTP 500");
        reader.assertAlive("the reader, with no message");
    }

    @Test
    void duringASecretRotationEachCallCarriesBothSignatures() throws Exception {
        String next = "the-next-proxy-secret-of-at-least-32-bytes!!";
        try (ApplicationBackend stillOld = new ApplicationBackend(PROXY_SECRET);
                ApplicationBackend alreadyNew = new ApplicationBackend(next)) {
            for (ApplicationBackend backend : List.of(stillOld, alreadyNew)) {
                TestGatehouse s = new TestGatehouse()
                        .with(ConfigKey.CHANNELS_PROXY_URL.key(), backend.url())
                        .with(ConfigKey.CHANNELS_PROXY_SECRET.key(), next)
                        .with(ConfigKey.CHANNELS_PROXY_PREVIOUS_SECRETS.key(), List.of(PROXY_SECRET))
                        .with("channels.namespaces.room.subscribe", "proxy")
                        .start();
                try (s;
                        WsRecorder ws = s.connectAs("alice")) {
                    ws.subscribe("room:1");
                }
                assertThat(backend.forged.get()).isZero();
                assertThat(backend.calls).hasSize(1);
            }
        }
    }

    @Test
    void aProxyNamespaceWithoutAProxyUrlIsRefusedAtStart() {
        assertThatThrownBy(() -> new TestGatehouse()
                        .with("channels.namespaces.room.subscribe", "proxy")
                        .start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("channels.namespaces.room.subscribe")
                .hasMessageContaining("channels.proxy.url");
        assertThatThrownBy(() -> new TestGatehouse()
                        .with(ConfigKey.CHANNELS_PROXY_URL.key(), app.url())
                        .start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("channels.proxy.secret");
    }
}
