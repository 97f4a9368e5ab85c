package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.auth.ApiKeyVerifier;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server API of SPEC §6 with API keys and scopes. */
class ServerApiTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    static String publishKey;
    static String adminKey;

    @BeforeAll
    static void start() {
        publishKey = "apikey " + server.apiKey("publish");
        adminKey = "apikey " + server.apiKey("admin");
    }

    static WsRecorder subscribed(String user, String channel) {
        WsRecorder ws = server.connectAs(user);
        ws.subscribe(channel);
        return ws;
    }

    @ParameterizedTest(name = "{0} {1} with {2} → {3} {4}")
    @CsvSource({
        "POST, /api/v1/publish, none, 401, TOKEN_MISSING",
        "POST, /api/v1/publish, bearer, 401, TOKEN_INVALID",
        "POST, /api/v1/publish, malformed, 401, TOKEN_INVALID",
        "POST, /api/v1/publish, unknown, 401, TOKEN_INVALID",
        "GET, /api/v1/stats, publish, 403, PERMISSION_DENIED",
        "GET, /api/v1/connections, publish, 403, PERMISSION_DENIED",
        "GET, /api/v1/channels, publish, 403, PERMISSION_DENIED",
        "POST, /api/v1/users/alice/disconnect, publish, 403, PERMISSION_DENIED",
    })
    void keysAndScopesAreChecked(String method, String path, String credential, int status, String code) {
        String header = switch (credential) {
            case "bearer" -> "Bearer " + Jwts.hs256For("alice");
            case "malformed" -> "apikey nope";
            case "unknown" -> "apikey ghk_" + "B".repeat(43);
            case "publish" -> publishKey;
            default -> null;
        };
        String[] headers = header == null ? new String[0] : new String[] {"Authorization", header};
        TestGatehouse.Reply r = method.equals("GET") ? server.get(path, headers) : server.post(path, "{}", headers);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.body().path("code").asText()).isEqualTo(code);
        assertThat(r.body().path("error").asText()).isNotBlank();
        assertThat(r.body().path("hint").asText()).isNotBlank();
    }

    @Test
    void publishReachesSubscribersAndAnswersOffsetAndEpoch() {
        try (WsRecorder ws = subscribed("alice", "news")) {
            TestGatehouse.Reply r = server.post(
                    "/api/v1/publish",
                    "{\"channel\":\"news\",\"data\":{\"headline\":\"x\"}}",
                    "Authorization",
                    publishKey);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("offset").asLong()).isPositive();
            assertThat(r.body().path("epoch").asText()).isNotBlank();
            JsonNode m = ws.awaitType("message");
            assertThat(m.path("data").path("headline").asText()).isEqualTo("x");
            assertThat(m.path("offset").asLong())
                    .isEqualTo(r.body().path("offset").asLong());
        }
    }

    @Test
    void offsetsGrowByOnePerChannel() {
        long first = server.post("/api/v1/publish", "{\"channel\":\"count\",\"data\":1}", "Authorization", publishKey)
                .body()
                .path("offset")
                .asLong();
        long second = server.post("/api/v1/publish", "{\"channel\":\"count\",\"data\":2}", "Authorization", publishKey)
                .body()
                .path("offset")
                .asLong();
        assertThat(second).isEqualTo(first + 1);
    }

    @Test
    void broadcastPublishesToEveryChannel() {
        try (WsRecorder a = subscribed("alice", "b1");
                WsRecorder b = subscribed("bob", "b2")) {
            TestGatehouse.Reply r = server.post(
                    "/api/v1/broadcast",
                    "{\"channels\":[\"b1\",\"b2\"],\"data\":\"hello\"}",
                    "Authorization",
                    publishKey);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("publications")).hasSize(2);
            assertThat(a.awaitType("message").path("data").asText()).isEqualTo("hello");
            assertThat(b.awaitType("message").path("channel").asText()).isEqualTo("b2");
        }
    }

    @ParameterizedTest(name = "{0} {1} → 400")
    @CsvSource(
            delimiter = '|',
            value = {
                "/api/v1/publish | {\"channel\":\"news\"}",
                "/api/v1/publish | {\"data\":1}",
                "/api/v1/publish | {\"channel\":\"news\",\"user\":\"a\",\"data\":1}",
                "/api/v1/publish | {\"channel\":\"bad name\",\"data\":1}",
                "/api/v1/publish | {\"channel\":\"nons:x\",\"data\":1}",
                "/api/v1/publish | not json",
                "/api/v1/publish | [1]",
                "/api/v1/broadcast | {\"channels\":[],\"data\":1}",
                "/api/v1/broadcast | {\"channels\":\"news\",\"data\":1}",
            })
    void badBodiesAreRefusedWithBadRequest(String path, String body) {
        TestGatehouse.Reply r = server.post(path, body, "Authorization", publishKey);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("code").asText()).isEqualTo("BAD_REQUEST");
    }

    @Test
    void disconnectClosesEveryConnectionOfTheUserWithTheCode() {
        try (WsRecorder a1 = subscribed("dora", "news");
                WsRecorder a2 = subscribed("dora", "news");
                WsRecorder other = subscribed("otto", "news")) {
            TestGatehouse.Reply r = server.post("/api/v1/users/dora/disconnect", "{}", "Authorization", adminKey);
            assertThat(r.status()).isEqualTo(200);
            // Nothing else would close these sockets: the close (awaited up to WsRecorder.TIMEOUT) and
            // its code show the disconnect did; how long it took is printed, not bounded.
            long answered = System.nanoTime();
            assertThat(a1.awaitClose("disconnect", answered)).isEqualTo(new WsRecorder.Close(4410, "DISCONNECTED"));
            assertThat(a2.awaitClose("disconnect", answered)).isEqualTo(new WsRecorder.Close(4410, "DISCONNECTED"));
            other.assertAlive();
        }
    }

    @Test
    void disconnectTakesARefusalCode() {
        try (WsRecorder ws = subscribed("ed", "news")) {
            server.post("/api/v1/users/ed/disconnect", "{\"code\":\"TOKEN_REVOKED\"}", "Authorization", adminKey);
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
        }
        TestGatehouse.Reply bad =
                server.post("/api/v1/users/ed/disconnect", "{\"code\":\"NOPE\"}", "Authorization", adminKey);
        assertThat(bad.body().path("code").asText()).isEqualTo("BAD_REQUEST");
    }

    @Test
    void connectionsChannelsAndStatsDescribeTheNode() {
        try (WsRecorder ws = subscribed("fay", "stats-room")) {
            JsonNode conns = server.get("/api/v1/connections?user=fay", "Authorization", adminKey)
                    .body()
                    .path("connections");
            assertThat(conns).hasSize(1);
            assertThat(conns.get(0).path("user_id").asText()).isEqualTo("fay");
            assertThat(conns.get(0).path("channels").toString()).contains("stats-room");
            assertThat(conns.get(0).path("connected_at").asText()).isNotBlank();

            JsonNode channels = server.get("/api/v1/channels", "Authorization", adminKey)
                    .body()
                    .path("channels");
            assertThat(channels.toString()).contains("\"channel\":\"stats-room\",\"subscribers\":1");

            JsonNode stats =
                    server.get("/api/v1/stats", "Authorization", adminKey).body();
            assertThat(stats.path("connections").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(stats.path("uptime_ms").asLong()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void anApiKeyWithTheRightPrefixButAWrongSecretIsRefused() {
        String real = publishKey.substring("apikey ".length());
        String forged = real.substring(0, 12) + (real.charAt(12) == 'A' ? 'B' : 'A') + real.substring(13);
        TestGatehouse.Reply r = server.post(
                "/api/v1/publish", "{\"channel\":\"news\",\"data\":1}", "Authorization", "apikey " + forged);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
    }

    @Test
    void aRevokedApiKeyIsRefused() {
        String key = server.apiKey("publish");
        new io.gatehouse.store.ApiKeyStore(server.gatehouse().database())
                .revoke(key.substring(0, 12), java.time.Instant.now());
        TestGatehouse.Reply r =
                server.post("/api/v1/publish", "{\"channel\":\"news\",\"data\":1}", "Authorization", "apikey " + key);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
    }

    @Test
    void aKeyRevokedWhileInUseIsRefusedWithinTheTimeItsRecordIsKept() {
        String key = server.apiKey("publish");
        String body = "{\"channel\":\"news\",\"data\":1}";
        assertThat(server.post("/api/v1/publish", body, "Authorization", "apikey " + key)
                        .status())
                .isEqualTo(200); // its record is now kept
        long revokedAt = System.nanoTime();
        new io.gatehouse.store.ApiKeyStore(server.gatehouse().database())
                .revoke(key.substring(0, 12), java.time.Instant.now());
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    TestGatehouse.Reply r = server.post("/api/v1/publish", body, "Authorization", "apikey " + key);
                    assertThat(r.status()).isEqualTo(401);
                    assertThat(r.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
                });
        // The first refusal came once the kept record was read again, not by chance much later.
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(ApiKeyVerifier.KEPT.plusSeconds(2));
    }

    @Test
    void publishToAUserWhoseIdIsOutsideTheChannelGrammarStillArrives() {
        try (WsRecorder ws = server.connectAs("auth0|123")) {
            TestGatehouse.Reply r = server.post(
                    "/api/v1/publish", "{\"user\":\"auth0|123\",\"data\":\"hi\"}", "Authorization", publishKey);
            assertThat(r.status()).isEqualTo(200);
            JsonNode m = ws.awaitType("message");
            assertThat(m.path("channel").asText()).isEqualTo("#auth0|123");
            assertThat(m.path("data").asText()).isEqualTo("hi");
        }
    }

    @Test
    void aDisconnectedClientCannotActAfterTheCloseFrame() {
        try (WsRecorder listener = subscribed("lena", "chat-after-close");
                io.gatehouse.testing.RawWebSocket raw = io.gatehouse.testing.RawWebSocket.connect(
                        server.ws(), "Authorization: Bearer " + Jwts.hs256For("banned", List.of("admin"), List.of()))) {
            assertThat(raw.readFrame(5000).text()).contains("connection_established");
            assertThat(server.post("/api/v1/users/banned/disconnect", "{}", "Authorization", adminKey)
                            .status())
                    .isEqualTo(200);
            assertThat(raw.awaitClose(5000).closeCode()).isEqualTo(4410);
            raw.sendText("{\"type\":\"subscribe\",\"channel\":\"chat-after-close\"}");
            raw.sendText("{\"type\":\"ping\"}");
            listener.assertQuiet(java.time.Duration.ofMillis(300));
            assertThat(server.get("/api/v1/channels", "Authorization", adminKey)
                            .body()
                            .toString())
                    .contains("\"channel\":\"chat-after-close\",\"subscribers\":1");
        }
    }

    @Test
    void unknownPathsAndMethodsAnswerWithCodes() {
        TestGatehouse.Reply missing = server.get("/api/v1/nothing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().path("code").asText()).isEqualTo("NOT_FOUND");
        TestGatehouse.Reply wrongMethod = server.get("/api/v1/publish", "Authorization", publishKey);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.body().path("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void anOversizedBodyIsRefusedWithMessageTooBig() {
        String body = "{\"channel\":\"news\",\"data\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
        TestGatehouse.Reply r = server.post("/api/v1/publish", body, "Authorization", publishKey);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body().path("code").asText()).isEqualTo("MESSAGE_TOO_BIG");
    }

    @Test
    void healthAndReadyAnswer() {
        assertThat(server.get("/health").body().path("status").asText()).isEqualTo("ok");
        assertThat(server.get("/ready").body().path("status").asText()).isEqualTo("ready");
    }
}
