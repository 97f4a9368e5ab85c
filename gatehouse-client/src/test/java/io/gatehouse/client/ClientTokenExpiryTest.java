package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.jwtExpiringIn;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.client.TokenProvider.Reason;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TOKEN_EXPIRED is "refresh then retry": one question to the provider, one reconnect; the same
 * refusal again is "log in". And {@code token_expiring} is answered in-band, keeping the connection.
 */
class ClientTokenExpiryTest {
    @RegisterExtension
    // No clock skew: an open socket of a JWT closes at exp itself (not auth.jwt.clock_skew later).
    static final TestGatehouse server =
            new TestGatehouse().with("auth.expiry_warning", "2s").with("auth.jwt.clock_skew", "0s");

    /** Expired beyond any clock-skew allowance. */
    private static String expired(String user) {
        return jwtExpiringIn(user, Duration.ofHours(-1));
    }

    @Test
    void anExpiredTokenAtConnectAsksTheProviderOnceAndReconnects() {
        String user = unique("expired");
        CountingTokens tokens = CountingTokens.of(expired(user), Fixtures.jwt(user));
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), tokens, events).build())) {
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            assertThat(tokens.calls).containsExactly(Reason.CONNECT, Reason.EXPIRED);
            StateChange refused =
                    events.into(ConnectionState.RECONNECT_SCHEDULED).get(0).change();
            assertThat(refused.closeCode()).isEqualTo(4401);
            assertThat(refused.refusal().code()).isEqualTo(RefusalCode.TOKEN_EXPIRED);
            assertThat(events.authErrors).isEmpty();
            Awaitility.await()
                    .during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> tokens.count() == 2 && client.state() == ConnectionState.CONNECTED);
            assertThat(events.connected).hasSize(1);
        }
    }

    @Test
    void aTokenStillExpiredAfterTheRefreshIsALogIn() {
        String user = unique("still-expired");
        CountingTokens tokens = CountingTokens.making(n -> expired(user));
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), tokens, events).build())) {
            eventually().until(() -> events.authErrors.size() == 1);
            assertThat(events.authErrors.get(0).code()).isEqualTo(RefusalCode.TOKEN_EXPIRED);
            assertThat(tokens.calls).containsExactly(Reason.CONNECT, Reason.EXPIRED);
            assertThat(client.state()).isEqualTo(ConnectionState.STOPPED);
            assertThat(events.connected).isEmpty();
        }
    }

    @Test
    void aTokenExpiringWhileOpenIsRefreshedInBandAndTheConnectionKept() throws Exception {
        String user = unique("refresh");
        CountingTokens tokens = CountingTokens.making(
                n -> n == 0 ? jwtExpiringIn(user, Duration.ofSeconds(8)) : jwtExpiringIn(user, Duration.ofHours(1)));
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), tokens, events).build())) {
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            String connectionId = client.connection().orElseThrow().connectionId();
            Instant first = client.credentialExpiresAt().orElseThrow();
            assertThat(first).isBefore(Instant.now().plusSeconds(10));

            // token_expiring → the provider is asked → refresh → refreshed with the new expiry.
            eventually()
                    .until(() -> client.credentialExpiresAt()
                            .orElseThrow()
                            .isAfter(Instant.now().plus(Duration.ofMinutes(30))));
            assertThat(tokens.calls).containsExactly(Reason.CONNECT, Reason.EXPIRING);

            // Past the first token's expiry the same connection is still there.
            Awaitility.await()
                    .pollDelay(Duration.ofMillis(Math.max(0, first.toEpochMilli() - System.currentTimeMillis() + 1500)))
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> true);
            assertThat(client.ping().get(10, TimeUnit.SECONDS)).isPositive();
            assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
            assertThat(client.connection().orElseThrow().connectionId()).isEqualTo(connectionId);
            assertThat(events.connected).hasSize(1);
            assertThat(events.into(ConnectionState.RECONNECT_SCHEDULED)).isEmpty();
            assertThat(tokens.count()).isEqualTo(2);
        }
    }

    @Test
    void aTokenThatExpiresWhileOpenWithoutARefreshIsReplacedByOneReconnect() {
        String user = unique("lapse");
        String shortLived = jwtExpiringIn(user, Duration.ofSeconds(6));
        // The provider has nothing better when warned (the same token again: no refresh is sent,
        // and the server closes at expiry), a fresh one when the server says it expired.
        CountingTokens tokens =
                CountingTokens.byReason(reason -> reason == Reason.EXPIRED ? Fixtures.jwt(user) : shortLived);
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), tokens, events).build())) {
            eventually().until(() -> events.connected.size() == 2);
            assertThat(tokens.calls).containsExactly(Reason.CONNECT, Reason.EXPIRING, Reason.EXPIRED);
            assertThat(events.into(ConnectionState.RECONNECT_SCHEDULED)
                            .get(0)
                            .change()
                            .refusal()
                            .code())
                    .isEqualTo(RefusalCode.TOKEN_EXPIRED);
            assertThat(events.authErrors).isEmpty();
        }
    }
}
