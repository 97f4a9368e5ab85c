package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** server.request_timeout is the client's time to send its request, not ours to verify it. */
class SlowVerificationDeadlineTest {
    @Test
    void anUpgradeWhoseBackendAnswersAfterTheRequestTimeoutIsStillAccepted() {
        try (IntrospectionBackend backend = IntrospectionBackend.start()
                        .answer("drf-slow", 200, "{\"id\": 7, \"username\": \"slow\"}", Duration.ofMillis(1500));
                TestGatehouse server = new TestGatehouse()
                        .with(ConfigKey.AUTH_INTROSPECTION_URL.key(), backend.url())
                        .with(ConfigKey.SERVER_REQUEST_TIMEOUT.key(), "500ms")
                        .start();
                WsRecorder ws = server.connectWith("drf-slow")) {
            assertThat(ws.established().path("user").path("id").asText()).endsWith("7");
        }
    }
}
