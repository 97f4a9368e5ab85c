package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.ServerMessage.ConnectionEstablished;
import io.gatehouse.testing.TcpRelay;
import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application subscribed to its own personal channel {@code #<user id>}: the server subscribes
 * every connection to it at connect, so publications can arrive before the client's resubscribe is
 * answered; they must neither be lost nor doubled.
 */
class ClientPersonalChannelTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @Test
    void aPublicationInTheFirstRoundTripAfterEachConnectArrivesExactlyOnceInOrder() throws Exception {
        String user = unique("personal-sub");
        server.publishToUser(unique("warm-up"), "{}"); // the publish key exists before the first connect
        AtomicInteger sent = new AtomicInteger();
        Recorder events = new Recorder() {
            @Override
            public void onConnected(ConnectionEstablished established) {
                super.onConnected(established);
                // On the client thread, before the resubscribe goes out: the message frame comes
                // on the implicit subscription while the explicit one waits for its reply.
                server.publishToUser(user, "{\"n\":" + sent.incrementAndGet() + "}");
            }
        };
        Received inbox = new Received();
        int connects = 4;
        try (TcpRelay proxy = new TcpRelay(server.gatehouse().port());
                GatehouseClient client = GatehouseClient.connect(options(
                                URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"),
                                TokenProvider.of(Fixtures.jwt(user)),
                                events)
                        .build())) {
            client.subscribe("#" + user, inbox).get(30, TimeUnit.SECONDS);
            for (int i = 2; i <= connects; i++) {
                int before = i - 1;
                eventually().until(() -> inbox.publications.size() >= before);
                proxy.cut();
                eventually().until(() -> client.state() != ConnectionState.CONNECTED);
                proxy.resume();
                int now = i;
                eventually().until(() -> events.connected.size() == now);
            }
            List<String> expected = IntStream.rangeClosed(1, connects)
                    .mapToObj(n -> "{\"n\":" + n + "}")
                    .toList();
            eventually().until(() -> inbox.publications.size() >= connects);
            Awaitility.await()
                    .during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> inbox.publications.size() == connects);
            assertThat(inbox.data()).containsExactlyElementsOf(expected);
            assertThat(events.personal).as("a subscribed personal channel").isEmpty();
        }
    }
}
