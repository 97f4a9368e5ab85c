package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.LogCapture;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10 point 8: an id with a control character cannot forge a log line. A JWT {@code sub} or an
 * introspection id holding one is refused as TOKEN_INVALID with a hint; the {@code {id}} of
 * {@code POST /api/v1/users/{id}/disconnect} is escaped before it is logged.
 */
class ControlCharacterIdTest {
    static final IntrospectionBackend backend = IntrospectionBackend.start();

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("auth.introspection.url", backend.url());

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "alice\n2026-01-01 INFO forged",
                "bob\r",
                "carol\u0000",
                "dave\u001b[31m",
                "erin\u2028x",
                "frank\u0085"
            })
    void aJwtSubWithAControlCharacterIsRefusedWithAHint(String sub) {
        String token = Jwts.hs256For(sub);
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
        assertThat(verify.status()).isEqualTo(401);
        assertThat(verify.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
        assertThat(verify.body().path("hint").asText()).contains("control character");
    }

    @Test
    void anIntrospectionIdWithANewlineIsRefused() {
        String token = UUID.randomUUID().toString().replace("-", "") + "knox";
        backend.answer(token, 200, "{\"id\":\"42\\nforged line\"}");
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
    }

    @Test
    void aPrintableSubStillConnects() {
        try (WsRecorder ws = server.connectAs("auth0|123 ünï")) {
            assertThat(ws.established().path("user").path("id").asText()).isEqualTo("auth0|123 ünï");
        }
    }

    @Test
    void theDisconnectIdIsEscapedBeforeItIsLogged() {
        LogCapture captured = new LogCapture();
        try (captured) {
            TestGatehouse.Reply r = server.post(
                    "/api/v1/users/evil%0A2026-01-01%20INFO%20forged%0D/disconnect",
                    "{}", "Authorization", "apikey " + server.apiKey("admin"));
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(captured.events()).anyMatch(e -> e.getFormattedMessage().startsWith("disconnect user="));
        assertThat(captured.events())
                .allMatch(e -> e.getFormattedMessage().chars().noneMatch(Character::isISOControl));
        assertThat(captured.events()).anyMatch(e -> e.getFormattedMessage().contains("evil\\u000a2026"));
    }
}
