package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.TestGatehouse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every credential carrier the client has connects, and the server sees the one that was chosen. */
class ClientCarrierTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private static String adminKey;

    @BeforeAll
    static void keys() {
        adminKey = server.apiKey("admin");
    }

    @ParameterizedTest
    @EnumSource(CredentialCarrier.class)
    void everyCarrierConnectsAndIsRecordedAsThatCarrier(CredentialCarrier carrier) throws Exception {
        String user = unique("carrier");
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), TokenProvider.of(Fixtures.jwt(user)), events)
                        .carrier(carrier)
                        .build())) {
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            assertThat(events.connected).hasSize(1);
            assertThat(events.connected.get(0).user().id()).isEqualTo(user);
            assertThat(client.ping().get(10, TimeUnit.SECONDS)).isPositive();

            // The server took the credential from the carrier the client chose (SPEC §2 order).
            List<JsonNode> rows =
                    eventually().until(() -> Fixtures.accessLog(server, adminKey, "user=" + user), r -> !r.isEmpty());
            assertThat(rows.get(0).path("method").asText())
                    .isEqualTo(carrier.name().toLowerCase(Locale.ROOT));
            assertThat(rows.get(0).path("outcome").asText()).isEqualTo("ACCEPTED");
        }
    }

    @Test
    void anOpaqueTokenInTheSubprotocolConnects() {
        String user = unique("opaque");
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), TokenProvider.of(server.opaqueToken(user)), events)
                        .carrier(CredentialCarrier.SUBPROTOCOL)
                        .build())) {
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            assertThat(client.connection().orElseThrow().user().id()).isEqualTo(user);
            assertThat(client.credentialExpiresAt()).isPresent();
        }
    }

    @Test
    void theClientStatesGoConnectingThenConnectedThenClosedOnItsOwnThread() {
        Recorder events = new Recorder();
        GatehouseClient client =
                GatehouseClient.connect(options(server.ws(), TokenProvider.of(Fixtures.jwt(unique("states"))), events)
                        .build());
        eventually().until(() -> client.state() == ConnectionState.CONNECTED);
        client.close();
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(events.stateNames())
                .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.CLOSED);
        assertThat(events.threads).allMatch(name -> name.startsWith("gatehouse-client-"));
        assertThat(events.threads).containsOnly(events.threads.get(0));
        assertThat(client.instanceId()).hasSize(36);
    }
}
