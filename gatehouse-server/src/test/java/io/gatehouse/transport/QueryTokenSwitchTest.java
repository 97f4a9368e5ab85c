package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import org.junit.jupiter.api.Test;

class QueryTokenSwitchTest {
    @Test
    void queryTokenIsRefusedWithAHintWhenTurnedOff() {
        try (TestGatehouse server = new TestGatehouse()
                        .with("auth.allow_query_token", false)
                        .start();
                WsRecorder ws = WsRecorder.connect(server.ws("token=" + Jwts.hs256For("alice")))) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
            TestGatehouse.Reply r = server.get("/api/v1/auth/verify?token=" + Jwts.hs256For("alice"));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.body().path("hint").asText()).contains("auth.allow_query_token");
        }
    }
}
