package io.gatehouse.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Issue 10 point 8: an {@code exp} far beyond any timer (1e18 s) neither throws nor leaves the connection unusable. */
class FarExpiryTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @Test
    void aJwtWithExpOf1e18ConnectsWorksAndNothingThrows() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(context);
        captured.start();
        root.addAppender(captured);
        try {
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
        } finally {
            root.detachAppender(captured);
        }
        assertThat(captured.list).noneMatch(e -> e.getThrowableProxy() != null);
    }
}
