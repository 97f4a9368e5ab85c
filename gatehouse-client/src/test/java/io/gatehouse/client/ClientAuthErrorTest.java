package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.ClientAction;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refusals the client must not retry: "log in" stops and calls onAuthError with the code and its
 * hint; "stop" stops and calls onStopped. Neither makes a second upgrade.
 */
class ClientAuthErrorTest {
    /** Time in which a retrying client would have tried again (backoff base 0.5 s) several times. */
    private static final Duration QUIET = Duration.ofSeconds(3);

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private static String adminKey;

    @BeforeAll
    static void keys() {
        adminKey = server.apiKey("admin");
    }

    @Test
    void aGarbageTokenIsRefusedOnceAndNeverRetried() {
        String garbage = "not-a-token-" + UUID.randomUUID();
        CountingTokens tokens = CountingTokens.of(garbage);
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), tokens, events).build())) {
            eventually().until(() -> client.state() == ConnectionState.STOPPED);
            assertThat(events.authErrors).hasSize(1);
            Refusal refusal = events.authErrors.get(0);
            assertThat(refusal.code()).isEqualTo(RefusalCode.TOKEN_INVALID);
            assertThat(refusal.code().clientAction()).isEqualTo(ClientAction.LOG_IN);
            assertThat(refusal.hint()).isEqualTo(RefusalCode.TOKEN_INVALID.defaultHint());
            assertThat(events.stopped).isEmpty();

            StateChange stop = events.into(ConnectionState.STOPPED).get(0).change();
            assertThat(stop.closeCode()).isEqualTo(4401);
            assertThat(stop.refusal().code()).isEqualTo(RefusalCode.TOKEN_INVALID);

            Awaitility.await()
                    .during(QUIET)
                    .atMost(QUIET.plusSeconds(10))
                    .until(() -> tokens.count() == 1 && client.state() == ConnectionState.STOPPED);
            assertThat(events.into(ConnectionState.CONNECTING)).hasSize(1);
            // One upgrade in the server's own record of attempts.
            String fingerprint = Fixtures.fingerprint(garbage);
            eventually()
                    .until(
                            () -> Fixtures.accessLog(server, adminKey, "outcome=TOKEN_INVALID").stream()
                                    .filter(r ->
                                            r.path("token_fingerprint").asText().equals(fingerprint))
                                    .count(),
                            n -> n >= 1);
            assertThat(Fixtures.accessLog(server, adminKey, "outcome=TOKEN_INVALID").stream()
                            .filter(r -> r.path("token_fingerprint").asText().equals(fingerprint))
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void aRevokedTokenIsRefusedOnceAndNeverRetried() {
        String user = unique("revoked");
        String token = server.opaqueToken(user);
        assertThat(server.post(
                                "/api/v1/credentials/revoke",
                                "{\"token\":\"" + token + "\"}",
                                "Authorization",
                                "apikey " + adminKey)
                        .status())
                .isEqualTo(200);
        CountingTokens tokens = CountingTokens.of(token);
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), tokens, events).build())) {
            eventually().until(() -> events.authErrors.size() == 1);
            assertThat(events.authErrors.get(0).code()).isEqualTo(RefusalCode.TOKEN_REVOKED);
            assertThat(events.authErrors.get(0).hint()).isEqualTo(RefusalCode.TOKEN_REVOKED.defaultHint());
            Awaitility.await()
                    .during(QUIET)
                    .atMost(QUIET.plusSeconds(10))
                    .until(() -> tokens.count() == 1 && client.state() == ConnectionState.STOPPED);
            assertThat(Fixtures.accessLog(server, adminKey, "outcome=TOKEN_REVOKED").stream()
                            .filter(r -> r.path("token_fingerprint").asText().equals(Fixtures.fingerprint(token)))
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void aTokenRevokedWhileConnectedStopsTheClientWithoutARetry() {
        String user = unique("live-revoke");
        String token = server.opaqueToken(user);
        CountingTokens tokens = CountingTokens.of(token);
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), tokens, events).build())) {
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            server.post(
                    "/api/v1/credentials/revoke",
                    "{\"token\":\"" + token + "\"}",
                    "Authorization",
                    "apikey " + adminKey);
            eventually().until(() -> events.authErrors.size() == 1);
            assertThat(events.authErrors.get(0).code()).isEqualTo(RefusalCode.TOKEN_REVOKED);
            Awaitility.await()
                    .during(QUIET)
                    .atMost(QUIET.plusSeconds(10))
                    .until(() -> tokens.count() == 1 && client.state() == ConnectionState.STOPPED);
        }
    }

    @Test
    void aServerDisconnectIsAStopNotALogoutAndIsNotRetried() {
        String user = unique("kicked");
        CountingTokens tokens = CountingTokens.of(Fixtures.jwt(user));
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), tokens, events).build())) {
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            assertThat(server.post("/api/v1/users/" + user + "/disconnect", "{}", "Authorization", "apikey " + adminKey)
                            .status())
                    .isEqualTo(200);
            eventually().until(() -> events.stopped.size() == 1);
            assertThat(events.stopped.get(0).code()).isEqualTo(RefusalCode.DISCONNECTED);
            assertThat(events.authErrors).as("not a logout").isEmpty();
            Awaitility.await()
                    .during(QUIET)
                    .atMost(QUIET.plusSeconds(10))
                    .until(() -> tokens.count() == 1 && client.state() == ConnectionState.STOPPED);

            // The application may start again by hand.
            client.reconnect();
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            assertThat(tokens.count()).isEqualTo(2);
        }
    }

    @Test
    void aProviderWithNoTokenIsALogInWithoutAnUpgrade() {
        Recorder events = new Recorder();
        try (GatehouseClient client = GatehouseClient.connect(
                options(server.ws(), reason -> java.util.concurrent.CompletableFuture.completedFuture(null), events)
                        .build())) {
            eventually().until(() -> events.authErrors.size() == 1);
            assertThat(events.authErrors.get(0).code()).isEqualTo(RefusalCode.TOKEN_MISSING);
            assertThat(client.state()).isEqualTo(ConnectionState.STOPPED);
        }
    }
}
