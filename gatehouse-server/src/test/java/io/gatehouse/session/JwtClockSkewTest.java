package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * auth.jwt.clock_skew applies the same way at the handshake and on the open socket: a JWT accepted
 * a little past its exp is not closed at once, but when the allowance runs out.
 */
class JwtClockSkewTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("auth.jwt.clock_skew", "4s");

    @Test
    void aJwtAcceptedPastItsExpLivesUntilTheAllowanceEnds() {
        String token = Jwts.hs256(
                Jwts.claims("skewed").expirationTime(Date.from(Instant.now().minusSeconds(1))));
        long start = System.nanoTime();
        try (WsRecorder ws = server.connectWith(token)) { // accepted: 1 s past exp, within 4 s
            JsonNode warning = ws.awaitType("token_expiring"); // less than auth.expiry_warning is left
            assertThat(warning.path("expires_in_ms").asLong()).isBetween(1L, 4000L);
            ws.assertAlive(); // not closed at once, as it was when only exp counted
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_EXPIRED"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1000));
        }
    }

    @Test
    void aJwtPastTheAllowanceIsRefusedAtTheHandshake() {
        String token = Jwts.hs256(
                Jwts.claims("late").expirationTime(Date.from(Instant.now().minusSeconds(30))));
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_EXPIRED"));
        }
    }
}
