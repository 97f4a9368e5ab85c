package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.ServerMessage.Subscribed;
import io.gatehouse.testing.TcpRelay;
import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * More subscriptions than the server's default {@code limits.messages_per_connection} burst (200):
 * the client paces its resubscribes, so no connect is closed with {@code 4429 RATE_LIMITED}.
 */
class ClientManySubscriptionsTest {
    private static final int CHANNELS = 250;

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("limits.subscriptions_per_connection", 1000);

    @Test
    void twoHundredFiftySubscriptionsAreConfirmedOnEveryConnectWithoutARateLimitClose() throws Exception {
        Recorder events = new Recorder();
        List<Received> feeds = new ArrayList<>();
        List<CompletableFuture<Subscribed>> replies = new ArrayList<>();
        String prefix = "feed-" + unique("many") + "-";
        try (TcpRelay proxy = new TcpRelay(server.gatehouse().port());
                GatehouseClient client = GatehouseClient.connect(options(
                                URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"),
                                TokenProvider.of(Fixtures.jwt(unique("subscriber"))),
                                events)
                        .build())) {
            // Made before the connection is up: all of them go out at connection_established.
            for (int i = 0; i < CHANNELS; i++) {
                Received feed = new Received();
                feeds.add(feed);
                replies.add(client.subscribe(prefix + i, feed));
            }
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            // A reconnect resubscribes every one of them again.
            proxy.cut();
            eventually().until(() -> client.state() != ConnectionState.CONNECTED);
            proxy.resume();
            eventually().until(() -> feeds.stream().allMatch(f -> f.subscribed.size() == 2));
            assertThat(feeds).allSatisfy(f -> assertThat(f.ended).isEmpty());
            assertThat(events.connected).hasSize(2);
            assertThat(events.states).extracting(t -> t.change().closeCode()).doesNotContain(4429);
        }
    }
}
