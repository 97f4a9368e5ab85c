package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clients sharing one token are two client instances (SPEC §7): under the default
 * {@code limits.duplicate_session_policy: replace} neither closes the other.
 */
class ClientSharedTokenTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private static String adminKey;

    @BeforeAll
    static void keys() {
        adminKey = server.apiKey("admin");
    }

    @Test
    void twoClientsWithOneTokenBothStayConnected() throws Exception {
        String user = unique("shared-token");
        String token = Fixtures.jwt(user);
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        try (GatehouseClient a = GatehouseClient.connect(
                        options(server.ws(), TokenProvider.of(token), first).build());
                GatehouseClient b = GatehouseClient.connect(
                        options(server.ws(), TokenProvider.of(token), second).build())) {
            eventually().until(() -> Fixtures.connections(server, adminKey, user) == 2);
            assertThat(a.instanceId()).isNotEqualTo(b.instanceId());
            // Still both, a while later: no 4409 went to either.
            Thread.sleep(Duration.ofMillis(500).toMillis());
            assertThat(Fixtures.connections(server, adminKey, user)).isEqualTo(2);
            assertThat(first.connected).hasSize(1);
            assertThat(second.connected).hasSize(1);
            assertThat(a.state()).isEqualTo(ConnectionState.CONNECTED);
            assertThat(b.state()).isEqualTo(ConnectionState.CONNECTED);
        }
    }
}
