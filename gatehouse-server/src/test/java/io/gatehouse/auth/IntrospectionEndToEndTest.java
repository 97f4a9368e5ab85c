package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Introspected tokens end to end (SPEC §2, issue 3 point 7): a real backend, a real gateway, real
 * WebSockets. The gateway speaks to the backend as DRF/Knox expect ({@code Token} scheme, id in
 * {@code pk}), with a 300 ms timeout and a 3 s negative cache: long enough to hold across two
 * handshakes on a loaded machine (1 s need not be), short enough to watch it expire.
 */
class IntrospectionEndToEndTest {
    static final IntrospectionBackend backend = IntrospectionBackend.start();

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("auth.introspection.url", backend.url())
            .with("auth.primary_source", "introspection") // the application's ids come through introspection
            .with("auth.introspection.scheme", "Token")
            .with("auth.introspection.id_field", "pk")
            .with("auth.introspection.timeout", "300ms")
            .with("auth.introspection.negative_cache_ttl", "3s")
            .with("limits.duplicate_session_policy", "allow"); // several sockets share a token here

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    /** A fresh token per test, so no test sees another's cached answer. */
    static String token() {
        return UUID.randomUUID().toString().replace("-", "") + "knox";
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    static String djangoUser(int pk, String username) {
        return "{\"pk\":" + pk + ",\"username\":\"" + username + "\",\"email\":\"" + username + "@example.test\"}";
    }

    @Test
    void aDrfBackendReceivesTheTokenSchemeAndTheSocketConnectsAsItsUser() {
        String token = token();
        backend.answer(token, 200, djangoUser(42, "alice"));
        try (WsRecorder ws = server.connectWith(token)) {
            JsonNode user = ws.established().path("user");
            assertThat(user.path("id").asText()).isEqualTo("42");
            assertThat(user.path("name").asText()).isEqualTo("alice");
        }
        assertThat(backend.authorizationHeaders()).contains("Token " + token);
        JsonNode verify = server.get("/api/v1/auth/verify", "Authorization", bearer(token))
                .body();
        assertThat(verify.path("method").asText()).isEqualTo("introspected");
        assertThat(verify.path("user").path("id").asText()).isEqualTo("42");
    }

    @Test
    void aBackendAnswering401ClosesTheSocketWith4401TokenInvalid() {
        assertRefusedAsInvalid(401);
    }

    @Test
    void aBackendAnswering403ClosesTheSocketWith4401TokenInvalid() {
        assertRefusedAsInvalid(403);
    }

    private void assertRefusedAsInvalid(int backendStatus) {
        String token = token();
        backend.answer(token, backendStatus, "{\"detail\":\"Invalid token.\"}");
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", bearer(token))) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", bearer(token));
        assertThat(verify.status()).isEqualTo(401);
        assertThat(verify.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
    }

    @Test
    void aBackendAnswering500ClosesTheSocketWith4503BackendUnavailable() {
        String token = token();
        backend.answer(token, 500, "{}");
        assertBackendUnavailable(server, token, "HTTP 500");
    }

    @Test
    void aBackendSlowerThanTheTimeoutClosesTheSocketWith4503BackendUnavailable() {
        // The backend holds its answer until the end of the test, so the gateway can only have
        // closed by giving up on its own, and the hint names the 300 ms it was given (not the 3 s
        // default). A stopwatch bound on the close measured the machine; the time is printed.
        String token = token();
        CountDownLatch release = backend.answerWhenReleased(token, 200, djangoUser(7, "slow"));
        try {
            long start = System.nanoTime();
            assertBackendUnavailable(server, token, "did not answer within 300 ms (auth.introspection.timeout)");
            System.out.println("refused 4503 and answered 503 in "
                    + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms while the backend held its answer");
        } finally {
            release.countDown();
        }
    }

    @Test
    void aBackendThatIsDownClosesTheSocketWith4503BackendUnavailable() {
        try (TestGatehouse down = new TestGatehouse()
                .with("auth.introspection.url", IntrospectionBackend.deadUrl())
                .with("auth.introspection.timeout", "300ms")
                .start()) {
            assertBackendUnavailable(down, token(), "could not be reached");
        }
    }

    private static void assertBackendUnavailable(TestGatehouse gateway, String token, String hintMentions) {
        try (WsRecorder ws = WsRecorder.connect(gateway.ws(), "Authorization", bearer(token))) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4503, "BACKEND_UNAVAILABLE"));
        }
        TestGatehouse.Reply verify = gateway.get("/api/v1/auth/verify", "Authorization", bearer(token));
        assertThat(verify.status()).isEqualTo(503);
        assertThat(verify.body().path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
        String hint = verify.body().path("hint").asText();
        assertThat(hint)
                .contains("auth.introspection.url")
                .contains(hintMentions)
                .doesNotContain(token);
    }

    @Test
    void anOutageIsNotCachedSoTheNextConnectionAsksAgain() {
        String token = token();
        backend.answer(token, 503, "{}");
        assertBackendUnavailable(server, token, "HTTP 503");
        backend.answer(token, 200, djangoUser(9, "back"));
        try (WsRecorder ws = server.connectWith(token)) {
            assertThat(ws.established().path("user").path("id").asText()).isEqualTo("9");
        }
    }

    @Test
    void twoConnectionsWithinTheCacheTtlMakeOneBackendCall() {
        String token = token();
        backend.answer(token, 200, djangoUser(5, "carol"));
        for (int i = 0; i < 2; i++) {
            server.connectWith(token).close(); // connection_established came
        }
        assertThat(server.get("/api/v1/auth/verify", "Authorization", bearer(token))
                        .status())
                .isEqualTo(200);
        assertThat(backend.calls(token)).isEqualTo(1);
    }

    @Test
    void aRefusedTokenIsRememberedForTheNegativeTtlAndThenAskedAgain() {
        String token = token();
        backend.answer(token, 401, "{\"detail\":\"Invalid token.\"}");
        for (int i = 0; i < 2; i++) {
            try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", bearer(token))) {
                assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
            }
        }
        assertThat(backend.calls(token)).isEqualTo(1);

        backend.answer(token, 200, djangoUser(11, "dave")); // the backend now vouches for the token
        await().atMost(Duration.ofSeconds(15)) // the 3 s negative TTL, and room for a loaded machine
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(server.get("/api/v1/auth/verify", "Authorization", bearer(token))
                                .status())
                        .isEqualTo(200));
        assertThat(backend.calls(token)).isEqualTo(2); // polls inside the negative TTL were answered from the cache
    }

    @Test
    void concurrentHandshakesWithOneTokenMakeOneBackendCall() throws Exception {
        String token = token();
        backend.answer(token, 200, djangoUser(77, "crowd"), Duration.ofMillis(300));
        ExecutorService clients = Executors.newFixedThreadPool(20);
        List<WsRecorder> sockets = new ArrayList<>();
        try (TestGatehouse patient = new TestGatehouse()
                .with("auth.introspection.url", backend.url())
                .with("auth.introspection.id_field", "pk")
                .with("auth.introspection.timeout", "5s")
                .with("limits.duplicate_session_policy", "allow")
                .start()) {
            List<Future<WsRecorder>> connecting = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                connecting.add(clients.submit(() -> WsRecorder.connect(patient.ws(), "Authorization", bearer(token))));
            }
            for (Future<WsRecorder> f : connecting) {
                sockets.add(f.get());
            }
            for (WsRecorder ws : sockets) {
                assertThat(ws.awaitType("connection_established")
                                .path("user")
                                .path("name")
                                .asText())
                        .isEqualTo("crowd");
            }
        } finally {
            sockets.forEach(WsRecorder::close);
            clients.shutdownNow();
        }
        assertThat(backend.calls(token)).isEqualTo(1);
    }

    @Test
    void jwtsAndOpaqueTokensNeverReachTheBackend() {
        int before = backend.calls();
        server.connectAs("erin").close(); // connection_established came
        server.connectWith(server.opaqueToken("frank")).close(); // connection_established came
        assertThat(backend.calls()).isEqualTo(before);
    }

    @Test
    void aBearerBackendWithTheDefaultIdFieldGetsBearerAndMapsId() {
        String token = token();
        backend.answer(token, 200, "{\"id\":\"u-1\",\"name\":\"Grace Hopper\",\"roles\":[\"editor\"]}");
        try (TestGatehouse bearerGateway = new TestGatehouse()
                        .with("auth.introspection.url", backend.url())
                        .start();
                WsRecorder ws = bearerGateway.connectWith(token)) {
            JsonNode user = ws.established().path("user");
            assertThat(user.path("id").asText()).isEqualTo("introspection:u-1"); // not the primary source here
            assertThat(user.path("name").asText()).isEqualTo("Grace Hopper");
            assertThat(user.path("roles")).extracting(JsonNode::asText).containsExactly("editor");
        }
        assertThat(backend.authorizationHeaders()).contains("Bearer " + token);
    }
}
