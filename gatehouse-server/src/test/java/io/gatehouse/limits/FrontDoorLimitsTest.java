package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-IP, per-connection and per-user limits of SPEC §7, end to end. */
class FrontDoorLimitsTest {
    static String upgrade(TestGatehouse server, String... headers) {
        try (RawWebSocket raw = RawWebSocket.connect(server.ws(), headers)) {
            return raw.handshakeResponse();
        }
    }

    @Test
    void aBurstOfUpgradesFromOneIpGets429WithRetryAfter() {
        try (TestGatehouse server = new TestGatehouse().with("limits.upgrades_per_ip", Map.of("rate", 1, "burst", 3)).start()) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(upgrade(server, "Authorization: Bearer " + Jwts.hs256For("u" + i)));
            }
            assertThat(answers.subList(0, 3)).allMatch(a -> a.startsWith("HTTP/1.1 101"));
            assertThat(answers).anyMatch(a -> a.startsWith("HTTP/1.1 429") && a.toLowerCase().contains("retry-after: 1"));
        }
    }

    @Test
    void theRefusalBodySaysRateLimitedWithTheWait() throws Exception {
        try (TestGatehouse server = new TestGatehouse().with("limits.upgrades_per_ip", Map.of("rate", 0.5, "burst", 1)).start()) {
            upgrade(server, "Authorization: Bearer " + Jwts.hs256For("a"));
            try (RawWebSocket raw = RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For("b"), "Connection: close")) {
                assertThat(raw.handshakeResponse()).startsWith("HTTP/1.1 429");
                JsonNode body = TestGatehouse.JSON.readTree(raw.readToEnd(5000));
                assertThat(body.path("code").asText()).isEqualTo("RATE_LIMITED");
                assertThat(body.path("retry_after_ms").asLong()).isBetween(1L, 2000L);
            }
        }
    }

    @Test
    void repeatedInvalidCredentialsSlowTheIpDownEvenForAValidToken() {
        try (TestGatehouse server = new TestGatehouse().with("limits.auth_failures_per_ip", Map.of("rate", 0.01, "burst", 3)).start()) {
            for (int i = 0; i < 3; i++) {
                try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer ght_" + "X".repeat(43))) {
                    assertThat(ws.awaitClose().reason()).isEqualTo("TOKEN_INVALID");
                }
            }
            assertThat(upgrade(server, "Authorization: Bearer " + Jwts.hs256For("alice"))).startsWith("HTTP/1.1 429");
            String metrics = server.get("/metrics").raw().body();
            assertThat(metrics).contains("gatehouse_limited_total{limit=\"auth_failures_per_ip\"}");
        }
    }

    @Test
    void tooManyMessagesCloseWith4429AndAPacingHint() {
        try (TestGatehouse server = new TestGatehouse().with("limits.messages_per_connection", Map.of("rate", 1, "burst", 5)).start();
                WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("chatty"))) {
            ws.awaitType("connection_established");
            for (int i = 0; i < 10; i++) {
                ws.socket().sendText("{\"type\":\"ping\"}", true).exceptionally(closed -> null).join();
            }
            WsRecorder.Close close = ws.awaitClose();
            assertThat(close.code()).isEqualTo(4429);
            assertThat(close.reason()).matches("RATE_LIMITED retry_after_ms=\\d+");
        }
    }

    @Test
    void aUserPastConnectionsPerUserGets4429TooManyConnections() {
        try (TestGatehouse server = new TestGatehouse().with("limits.connections_per_user", 2).start();
                WsRecorder a = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("dora"));
                WsRecorder b = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("dora"))) {
            a.awaitType("connection_established");
            b.awaitType("connection_established");
            try (WsRecorder c = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("dora"))) {
                WsRecorder.Close close = c.awaitClose();
                assertThat(close.code()).isEqualTo(4429);
                assertThat(close.reason()).startsWith("TOO_MANY_CONNECTIONS");
            }
        }
    }

    @Test
    void aSpoofedForwardedForIsIgnoredFromAnUntrustedPeerAndHonouredFromATrustedOne() {
        String admin = "apikey ";
        try (TestGatehouse untrusted = new TestGatehouse().start();
                TestGatehouse trusted = new TestGatehouse().with("server.trusted_proxies", List.of("127.0.0.0/8")).start()) {
            for (TestGatehouse server : List.of(untrusted, trusted)) {
                String key = admin + server.apiKey("admin");
                try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + Jwts.hs256For("ivy"),
                        "X-Forwarded-For", "203.0.113.7")) {
                    ws.awaitType("connection_established");
                    String ip = server.get("/api/v1/connections?user=ivy", "Authorization", key).body()
                            .path("connections").get(0).path("client_ip").asText();
                    assertThat(ip).isEqualTo(server == trusted ? "203.0.113.7" : "127.0.0.1");
                }
            }
        }
    }
}
