package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The per-IP, per-connection and per-user limits of SPEC §7, end to end. */
class FrontDoorLimitsTest {
    static String upgrade(TestGatehouse server, String... headers) {
        try (RawWebSocket raw = RawWebSocket.connect(server.ws(), headers)) {
            return raw.handshakeResponse();
        }
    }

    static String expiredToken(String user) {
        return Jwts.hs256(Jwts.claims(user)
                .expirationTime(java.util.Date.from(java.time.Instant.now().minusSeconds(3600))));
    }

    @Test
    void acceptedUpgradesFromOneIpDoNotCountAgainstUpgradesPerIp() {
        // An office behind one NAT address: many users, each accepted, none slowed down.
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.upgrades_per_ip", Map.of("rate", 1, "burst", 3))
                .start()) {
            for (int i = 0; i < 12; i++) {
                assertThat(upgrade(server, "Authorization: Bearer " + Jwts.hs256For("u" + i)))
                        .startsWith("HTTP/1.1 101");
            }
        }
    }

    @Test
    void failedUpgradesFromOneIpGet429WithRetryAfterEvenForAValidToken() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.upgrades_per_ip", Map.of("rate", 1, "burst", 3))
                .start()) {
            for (int i = 0; i < 3; i++) { // expired: refused, though not a guessed credential
                assertThat(upgrade(server, "Authorization: Bearer " + expiredToken("e" + i)))
                        .startsWith("HTTP/1.1 101");
            }
            String answer = upgrade(server, "Authorization: Bearer " + Jwts.hs256For("valid"));
            assertThat(answer).startsWith("HTTP/1.1 429").containsIgnoringCase("retry-after: 1");
        }
    }

    @Test
    void theRefusalBodySaysRateLimitedWithTheWait() throws Exception {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.upgrades_per_ip", Map.of("rate", 0.5, "burst", 1))
                .start()) {
            upgrade(server, "Authorization: Bearer " + expiredToken("a"));
            try (RawWebSocket raw = RawWebSocket.connect(
                    server.ws(), "Authorization: Bearer " + Jwts.hs256For("b"), "Connection: close")) {
                assertThat(raw.handshakeResponse()).startsWith("HTTP/1.1 429");
                JsonNode body = TestGatehouse.JSON.readTree(raw.readToEnd(5000));
                assertThat(body.path("code").asText()).isEqualTo("RATE_LIMITED");
                assertThat(body.path("retry_after_ms").asLong()).isBetween(1L, 2000L);
            }
        }
    }

    @Test
    void oneCredentialReconnectingInALoopIsSlowedDownWhileOthersFromTheSameIpAreNot() throws Exception {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.upgrades_per_credential", Map.of("rate", 0.1, "burst", 3))
                .start()) {
            String token = Jwts.hs256For("looper");
            for (int i = 0; i < 3; i++) {
                assertThat(upgrade(server, "Authorization: Bearer " + token)).startsWith("HTTP/1.1 101");
            }
            try (RawWebSocket raw =
                    RawWebSocket.connect(server.ws(), "Authorization: Bearer " + token, "Connection: close")) {
                assertThat(raw.handshakeResponse()).startsWith("HTTP/1.1 429");
                JsonNode body = TestGatehouse.JSON.readTree(raw.readToEnd(5000));
                assertThat(body.path("code").asText()).isEqualTo("RATE_LIMITED");
                assertThat(body.path("hint").asText()).contains("limits.upgrades_per_credential");
            }
            assertThat(upgrade(server, "Authorization: Bearer " + Jwts.hs256For("neighbour")))
                    .startsWith("HTTP/1.1 101");
            // The same rule for a token sent in the first message.
            try (WsRecorder ws = WsRecorder.connect(server.ws())) {
                ws.socket()
                        .sendText("{\"type\":\"auth\",\"token\":\"" + token + "\"}", true)
                        .join();
                WsRecorder.Close close = ws.awaitClose();
                assertThat(close.code()).isEqualTo(4429);
                assertThat(close.reason()).startsWith("RATE_LIMITED retry_after_ms=");
            }
            assertThat(server.get("/metrics").raw().body())
                    .contains("gatehouse_limited_total{limit=\"upgrades_per_credential\"}");
        }
    }

    @Test
    void repeatedInvalidCredentialsSlowTheIpDownEvenForAValidToken() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.auth_failures_per_ip", Map.of("rate", 0.01, "burst", 3))
                .start()) {
            for (int i = 0; i < 3; i++) {
                try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer ght_" + "X".repeat(43))) {
                    assertThat(ws.awaitClose().reason()).isEqualTo("TOKEN_INVALID");
                }
            }
            assertThat(upgrade(server, "Authorization: Bearer " + Jwts.hs256For("alice")))
                    .startsWith("HTTP/1.1 429");
            String metrics = server.get("/metrics").raw().body();
            assertThat(metrics).contains("gatehouse_limited_total{limit=\"auth_failures_per_ip\"}");
        }
    }

    @Test
    void tooManyMessagesCloseWith4429AndAPacingHint() {
        try (TestGatehouse server = new TestGatehouse()
                        .with("limits.messages_per_connection", Map.of("rate", 1, "burst", 5))
                        .start();
                WsRecorder ws = server.connectAs("chatty")) {
            for (int i = 0; i < 10; i++) {
                ws.socket()
                        .sendText("{\"type\":\"ping\"}", true)
                        .exceptionally(closed -> null)
                        .join();
            }
            WsRecorder.Close close = ws.awaitClose();
            assertThat(close.code()).isEqualTo(4429);
            assertThat(close.reason()).matches("RATE_LIMITED retry_after_ms=\\d+");
        }
    }

    @Test
    void aUserPastConnectionsPerUserGets4429TooManyConnections() {
        try (TestGatehouse server = new TestGatehouse()
                        .with("limits.connections_per_user", 2)
                        .start();
                WsRecorder a = server.connectAs("dora");
                WsRecorder b = server.connectAs("dora")) {
            try (WsRecorder c = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("dora"))) {
                WsRecorder.Close close = c.awaitClose();
                assertThat(close.code()).isEqualTo(4429);
                assertThat(close.reason()).startsWith("TOO_MANY_CONNECTIONS");
            }
            // The access log says so, with the user: not ACCEPTED, though the credential was good.
            String key = "apikey " + server.apiKey("admin");
            Awaitility.await("the refused row")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> server.get("/api/v1/access-log?code=TOO_MANY_CONNECTIONS", "Authorization", key)
                                    .body()
                                    .path("entries")
                                    .size()
                            == 1);
            JsonNode row = server.get("/api/v1/access-log?code=TOO_MANY_CONNECTIONS", "Authorization", key)
                    .body()
                    .path("entries")
                    .get(0);
            assertThat(row.path("user_id").asText()).isEqualTo("dora");
            assertThat(row.path("outcome").asText()).isEqualTo("TOO_MANY_CONNECTIONS");
            assertThat(server.get("/api/v1/access-log?user=dora&outcome=ACCEPTED", "Authorization", key)
                            .body()
                            .path("entries")
                            .size())
                    .as("two accepted, the third refused")
                    .isEqualTo(2);
        }
    }

    @Test
    void aSpoofedForwardedForIsIgnoredFromAnUntrustedPeerAndHonouredFromATrustedOne() {
        String admin = "apikey ";
        try (TestGatehouse untrusted = new TestGatehouse().start();
                TestGatehouse trusted = new TestGatehouse()
                        .with("server.trusted_proxies", List.of("127.0.0.0/8"))
                        .start()) {
            for (TestGatehouse server : List.of(untrusted, trusted)) {
                String key = admin + server.apiKey("admin");
                try (WsRecorder ws = server.connectWith(Jwts.hs256For("ivy"), "X-Forwarded-For", "203.0.113.7")) {
                    String ip = server.get("/api/v1/connections?user=ivy", "Authorization", key)
                            .body()
                            .path("connections")
                            .get(0)
                            .path("client_ip")
                            .asText();
                    assertThat(ip).isEqualTo(server == trusted ? "203.0.113.7" : "127.0.0.1");
                }
            }
        }
    }
}
