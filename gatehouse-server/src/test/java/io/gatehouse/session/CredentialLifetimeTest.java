package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Credentials that expire while their connection is open (SPEC §2), with lifetimes of seconds. */
class CredentialLifetimeTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("auth.session.ttl", "3s")
            .with("auth.expiry_warning", "1s")
            // A JWT lives auth.jwt.clock_skew past its exp on an open socket too: none here, so that
            // the seconds these tests count are exp's (JwtClockSkewTest covers the allowance).
            .with("auth.jwt.clock_skew", "0s");

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    static String jwtExpiringIn(String user, Duration d) {
        return Jwts.hs256(
                Jwts.claims(user).expirationTime(Date.from(Instant.now().plus(d))));
    }

    @Test
    void aJwtExpiringWhileOpenWarnsThenClosesWith4401TokenExpired() {
        long start = System.nanoTime();
        try (WsRecorder ws = server.connectWith(jwtExpiringIn("eve", Duration.ofSeconds(3)))) {
            JsonNode warning = ws.awaitMessage();
            assertThat(warning.path("type").asText()).isEqualTo("token_expiring");
            assertThat(warning.path("expires_in_ms").asLong()).isBetween(0L, 3000L);
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_EXPIRED"));
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(1500), Duration.ofMillis(5000)); // exp has whole seconds
        }
    }

    @Test
    void theWarningComesAuthExpiryWarningBeforeExpiryNotAtOnce() {
        long start = System.nanoTime();
        try (WsRecorder ws = server.connectWith(jwtExpiringIn("hana", Duration.ofSeconds(4)))) {
            // exp is 3-4 s after start, its warning 2-3 s: none until 1.5 s after start, counted
            // from start rather than from the connection, which a loaded machine can make late.
            ws.assertQuiet(Duration.ofMillis(Math.max(0, 1500 - (System.nanoTime() - start) / 1_000_000)));
            JsonNode warning = ws.awaitMessage();
            assertThat(warning.path("type").asText()).isEqualTo("token_expiring");
            assertThat(warning.path("expires_in_ms").asLong()).isBetween(0L, 1100L);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1500));
            assertThat(ws.awaitClose().reason()).isEqualTo("TOKEN_EXPIRED");
        }
    }

    @Test
    void anInBandRefreshBeforeExpiryKeepsTheConnectionOpen() {
        // Warned 3 s ahead, not this class's 1 s: the refresh the warning prompts has seconds to
        // arrive before the first token expires, on a loaded machine too.
        Instant exp = Instant.ofEpochSecond(Instant.now().plusSeconds(5).getEpochSecond());
        try (TestGatehouse early = new TestGatehouse()
                        .with("auth.expiry_warning", "3s")
                        .with("auth.jwt.clock_skew", "0s")
                        .start();
                WsRecorder ws = early.connectWith(Jwts.hs256(Jwts.claims("fred").expirationTime(Date.from(exp))))) {
            ws.awaitType("token_expiring");
            ws.send("{\"type\":\"refresh\",\"id\":1,\"token\":\"" + jwtExpiringIn("fred", Duration.ofHours(1)) + "\"}");
            assertThat(ws.awaitType("refreshed").path("id").asInt()).isEqualTo(1);
            ws.assertQuiet(Duration.between(Instant.now(), exp.plusSeconds(1))); // past the first token's expiry
            ws.assertAlive();
        }
    }

    @Test
    void aSessionExpiringWhileOpenClosesWith4401SessionExpired() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        try (WsRecorder ws = s.connect(server)) {
            ws.awaitType("token_expiring");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "SESSION_EXPIRED"));
        }
    }

    @Test
    void aSessionRefreshedOverHttpKeepsItsOpenConnection() {
        BrowserSession s = BrowserSession.login(server, "alice", "alice-password");
        try (WsRecorder ws = s.connect(server)) {
            Awaitility.await()
                    .pollDelay(Duration.ofMillis(1500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            assertThat(server.post("/api/v1/auth/refresh", "", "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf())
                            .status())
                    .isEqualTo(200);
            Awaitility.await()
                    .pollDelay(Duration.ofMillis(2000))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            ws.send("{\"type\":\"ping\"}"); // 3.5 s after login: past the first expiry
            assertThat(ws.awaitType("pong")).isNotNull();
        }
    }

    @Test
    void aRefreshWithAnotherUsersTokenClosesWith4401TokenInvalid() {
        try (WsRecorder ws = server.connectAs("gina")) {
            ws.send("{\"type\":\"refresh\",\"token\":\"" + Jwts.hs256For("mallory") + "\"}");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
    }
}
