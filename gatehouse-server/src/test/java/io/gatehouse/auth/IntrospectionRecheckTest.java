package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 point 6, end to end: open sockets of introspected tokens are asked about again every
 * {@code auth.introspection.recheck_interval} (1 s here, 200 ms cache): a token the backend now
 * refuses closes its sockets with TOKEN_REVOKED; an outage keeps them; the sockets sharing a token
 * make one backend call per re-check between them.
 */
class IntrospectionRecheckTest {
    static final IntrospectionBackend backend = IntrospectionBackend.start();

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("auth.introspection.url", backend.url())
            .with("auth.introspection.scheme", "Token")
            .with("auth.introspection.recheck_interval", "1s")
            .with("auth.introspection.cache_ttl", "200ms")
            .with("auth.introspection.negative_cache_ttl", "200ms")
            .with("auth.introspection.timeout", "2s")
            .with("limits.duplicate_session_policy", "allow");

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    static String token() {
        return UUID.randomUUID().toString().replace("-", "") + "drf";
    }

    static String user(int id) {
        return "{\"id\":" + id + ",\"username\":\"u" + id + "\"}";
    }

    @Test
    void aTokenDeletedInTheBackendClosesEverySocketUsingItWithTokenRevoked() {
        String token = token();
        backend.answer(token, 200, user(7));
        List<WsRecorder> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                WsRecorder ws = server.connectWith(token);
                sockets.add(ws);
            }
            backend.answer(token, 401, "{\"detail\":\"Invalid token.\"}"); // deleted in Django

            for (WsRecorder ws : sockets) {
                WsRecorder.Close close = ws.awaitClose();
                assertThat(close.code()).isEqualTo(4401);
                assertThat(close.reason()).isEqualTo("TOKEN_REVOKED");
            }
        } finally {
            sockets.forEach(WsRecorder::close);
        }
    }

    @Test
    void aBackendAnswering403AlsoCloses() {
        String token = token();
        backend.answer(token, 200, user(8));
        try (WsRecorder ws = server.connectWith(token)) {
            backend.answer(token, 403, "{}");
            assertThat(ws.awaitClose().reason()).isEqualTo("TOKEN_REVOKED");
        }
    }

    @Test
    void anOutageKeepsTheSocketAndTheTokenIsAskedAgainNextInterval() {
        String token = token();
        backend.answer(token, 200, user(9));
        try (WsRecorder ws = server.connectWith(token)) {
            int before = backend.calls(token);
            backend.answer(token, 503, "{}");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> backend.calls(token) >= before + 2); // two re-checks, both 503
            backend.answer(token, 200, user(9), Duration.ofSeconds(5)); // and a timeout (2 s)
            int slow = backend.calls(token);
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.calls(token) >= slow + 1);

            ws.sendJson("{\"type\":\"ping\",\"id\":1}");
            assertThat(ws.awaitType("pong").path("id").asInt()).isEqualTo(1); // still open

            backend.answer(token, 401, "{}");
            assertThat(ws.awaitClose().reason()).isEqualTo("TOKEN_REVOKED");
        }
    }

    @Test
    void socketsSharingATokenMakeOneBackendCallPerRecheck() throws Exception {
        String token = token();
        backend.answer(token, 200, user(10));
        List<WsRecorder> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                WsRecorder ws = server.connectWith(token);
                sockets.add(ws);
            }
            int before = backend.calls(token);
            Thread.sleep(3600); // three intervals or so, of 0.8..1.2 s each
            int during = backend.calls(token) - before;
            // One call per re-check of the token (about 3), not one per socket (about 18).
            assertThat(during).isBetween(1, 5);
            for (WsRecorder ws : sockets) {
                ws.sendJson("{\"type\":\"ping\",\"id\":2}");
                assertThat(ws.awaitType("pong").path("id").asInt()).isEqualTo(2);
            }
        } finally {
            sockets.forEach(WsRecorder::close);
        }
    }
}
