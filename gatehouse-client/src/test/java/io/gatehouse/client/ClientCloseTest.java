package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code close()} leaves nothing behind on the server, whatever stage the connect had reached. */
class ClientCloseTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private static String adminKey;

    @BeforeAll
    static void keys() {
        adminKey = server.apiKey("admin");
    }

    @Test
    void closingWhileTheUpgradeIsUnderWayAbortsTheSocketItOpensLater() {
        String user = unique("hasty-closer");
        AtomicReference<CompletableFuture<String>> asked = new AtomicReference<>();
        GatehouseClient client = GatehouseClient.connect(options(
                        server.ws(),
                        reason -> {
                            CompletableFuture<String> token = new CompletableFuture<>();
                            asked.set(token);
                            return token;
                        },
                        new Recorder())
                .build());
        eventually().until(() -> asked.get() != null);
        // The token lets the client thread start the upgrade; close() is queued right behind it, so
        // it runs while the upgrade is still on the network, before the socket opens.
        asked.get().complete(Fixtures.jwt(user));
        client.close();
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);

        // The server accepted the upgrade...
        eventually()
                .until(
                        () -> Fixtures.accessLog(server, adminKey, "user=" + user),
                        rows -> rows.stream()
                                .anyMatch(r -> r.path("outcome").asText().equals("ACCEPTED")));
        // ...and lets go of the connection at once, not when its heartbeat times out.
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> Fixtures.connections(server, adminKey, user) == 0);
    }
}
