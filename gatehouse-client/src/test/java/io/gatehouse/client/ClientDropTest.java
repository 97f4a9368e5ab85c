package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.publish;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.TcpRelay;
import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A network that drops (no close frame: the client sees 1006) is retried, and the subscription
 * recovers: what was published meanwhile arrives once, in order, before the live publications.
 */
class ClientDropTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @Test
    void aDroppedConnectionIsRetriedAndRecoversEveryPublicationExactlyOnceInOrder() throws Exception {
        String key = server.apiKey("publish");
        String channel = "feed-" + unique("drop");
        Recorder events = new Recorder();
        Received feed = new Received();
        try (TcpRelay proxy = new TcpRelay(server.gatehouse().port());
                GatehouseClient client = GatehouseClient.connect(options(
                                URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"),
                                TokenProvider.of(Fixtures.jwt(unique("dropper"))),
                                events)
                        .build())) {
            client.subscribe(channel, feed).get(30, TimeUnit.SECONDS);
            for (int i = 1; i <= 3; i++) {
                publish(server, key, channel, "{\"n\":" + i + "}");
            }
            eventually().until(() -> feed.publications.size() == 3);

            proxy.cut();
            eventually().until(() -> client.state() != ConnectionState.CONNECTED);
            StateChange drop =
                    events.into(ConnectionState.RECONNECT_SCHEDULED).get(0).change();
            assertThat(drop.closeCode()).isEqualTo(1006);
            assertThat(drop.refusal()).isNull();
            for (int i = 4; i <= 8; i++) {
                publish(server, key, channel, "{\"n\":" + i + "}");
            }
            proxy.resume();

            eventually().until(() -> feed.subscribed.size() == 2);
            assertThat(feed.subscribed.get(0).recovered())
                    .as("a first subscribe")
                    .isFalse();
            assertThat(feed.subscribed.get(1).recovered()).isTrue();
            assertThat(events.connected).hasSize(2);
            for (int i = 9; i <= 10; i++) {
                publish(server, key, channel, "{\"n\":" + i + "}");
            }

            List<String> expected = IntStream.rangeClosed(1, 10)
                    .mapToObj(i -> "{\"n\":" + i + "}")
                    .toList();
            eventually().until(() -> feed.publications.size() >= 10);
            // Nothing more comes: no duplicate is on its way.
            Awaitility.await()
                    .during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> feed.publications.size() == 10);
            assertThat(feed.data()).containsExactlyElementsOf(expected);
            assertThat(feed.publications.stream().map(Publication::offset).toList())
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(feed.publications.stream().map(Publication::epoch).distinct())
                    .hasSize(1);
        }
    }

    @Test
    void requestsMadeWhileDisconnectedWaitForTheConnection() throws Exception {
        Recorder events = new Recorder();
        try (TcpRelay proxy = new TcpRelay(server.gatehouse().port());
                GatehouseClient client = GatehouseClient.connect(options(
                                URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"),
                                TokenProvider.of(Fixtures.jwt(unique("waiter"))),
                                events)
                        .build())) {
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            proxy.cut();
            eventually().until(() -> client.state() != ConnectionState.CONNECTED);
            var pong = client.ping();
            var history = client.history("feed-" + unique("waiting"), null, -1);
            assertThat(pong).isNotDone();
            proxy.resume();
            assertThat(pong.get(30, TimeUnit.SECONDS)).isPositive();
            assertThat(history.get(30, TimeUnit.SECONDS).publications()).isEmpty();
        }
    }

    @Test
    void anHttpRefusalBeforeTheUpgradeIsReadAndItsRetryAfterWaitedOut() {
        // One upgrade per credential every 4 s: the reconnect right after a drop is refused with 429.
        try (TestGatehouse limited = new TestGatehouse()
                        .with("limits.upgrades_per_credential", Map.of("rate", 0.25, "burst", 1))
                        .start();
                TcpRelay proxy = new TcpRelay(limited.gatehouse().port())) {
            Recorder events = new Recorder();
            try (GatehouseClient client = GatehouseClient.connect(options(
                            URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"),
                            TokenProvider.of(Fixtures.jwt(unique("hasty"))),
                            events)
                    .build())) {
                eventually().until(() -> client.state() == ConnectionState.CONNECTED);
                proxy.cut();
                eventually().until(() -> client.state() != ConnectionState.CONNECTED);
                proxy.resume();

                eventually().until(() -> events.connected.size() == 2);
                StateChange limitedChange = events.into(ConnectionState.RECONNECT_SCHEDULED).stream()
                        .map(Recorder.Timed::change)
                        .filter(c -> c.refusal() != null && c.refusal().code() == RefusalCode.RATE_LIMITED)
                        .findFirst()
                        .orElseThrow();
                assertThat(limitedChange.refusal().hint()).contains("limits.upgrades_per_credential");
                assertThat(limitedChange.refusal().retryAfterMillis()).isPositive();
                assertThat(limitedChange.delay())
                        .isGreaterThanOrEqualTo(
                                Duration.ofMillis(limitedChange.refusal().retryAfterMillis()));
                assertThat(events.authErrors).isEmpty();
            }
        }
    }
}
