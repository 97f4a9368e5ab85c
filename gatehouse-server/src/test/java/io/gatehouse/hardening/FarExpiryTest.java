package io.gatehouse.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.LogCapture;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 10 point 8: an {@code exp} far beyond any timer (1e18 s) neither throws nor leaves the connection unusable. */
class FarExpiryTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @Test
    void aJwtWithExpOf1e18ConnectsWorksAndNothingThrows() {
        LogCapture captured = new LogCapture();
        try (captured) {
            var claims = Jwts.claims("farexp").claim("exp", 1_000_000_000_000_000_000L);
            try (WsRecorder ws = server.connectWith(Jwts.hs256(claims))) {
                ws.send("{\"type\":\"ping\",\"id\":7}");
                assertThat(ws.awaitType("pong").path("id").asInt()).isEqualTo(7);
                JsonNode subscribed = ws.subscribeReply("news", 8);
                assertThat(subscribed.path("type").asText())
                        .as(subscribed.toString())
                        .isEqualTo("subscribed");
                assertThat(subscribed.path("id").asInt()).isEqualTo(8);
                ws.assertQuiet(Duration.ofMillis(300)); // no token_expiring, no close
                ws.assertAlive(); // and not for want of an open, reading connection
            }
        }
        assertThat(captured.events()).noneMatch(e -> e.getThrowableProxy() != null);
    }
}
