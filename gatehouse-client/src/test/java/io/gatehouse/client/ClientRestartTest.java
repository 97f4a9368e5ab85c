package io.gatehouse.client;

import static io.gatehouse.client.Fixtures.eventually;
import static io.gatehouse.client.Fixtures.options;
import static io.gatehouse.client.Fixtures.publish;
import static io.gatehouse.client.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Servers that go away on purpose: a restart (the memory broker loses every epoch, so the client
 * is told {@code recovered: false}) and a drain's 1012 with {@code retry_after_ms}, which the
 * client honours before reconnecting.
 */
class ClientRestartTest {
    private TestGatehouse first;
    private TestGatehouse second;

    @AfterEach
    void stop() {
        for (TestGatehouse s : new TestGatehouse[] {first, second}) {
            if (s != null) {
                s.close();
            }
        }
    }

    /** A new server on {@code port}, once the old one has let go of it. */
    private static TestGatehouse startOn(int port) {
        TestGatehouse[] started = new TestGatehouse[1];
        Awaitility.await()
                .atMost(Fixtures.WAIT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    started[0] = new TestGatehouse().with("server.port", port).start();
                    return true;
                });
        return started[0];
    }

    @Test
    void aServerRestartIsSurvivedWithAResubscribeThatIsNotRecovered() throws Exception {
        first = new TestGatehouse().with("shutdown.drain", "500ms").start();
        int port = first.gatehouse().port();
        String channel = "feed-" + unique("restart");
        Recorder events = new Recorder();
        Received feed = new Received();
        try (GatehouseClient client =
                GatehouseClient.connect(options(first.ws(), TokenProvider.of(Fixtures.jwt(unique("survivor"))), events)
                        .build())) {
            client.subscribe(channel, feed).get(30, TimeUnit.SECONDS);
            publish(first, first.apiKey("publish"), channel, "{\"n\":1}");
            eventually().until(() -> feed.publications.size() == 1);
            String oldEpoch = feed.publications.get(0).epoch();

            first.close();
            first = null;
            eventually().until(() -> client.state() != ConnectionState.CONNECTED);
            second = startOn(port);

            eventually().until(() -> feed.subscribed.size() == 2);
            assertThat(events.connected).hasSize(2);
            assertThat(feed.subscribed.get(1).recovered()).isFalse();
            assertThat(feed.subscribed.get(1).position().epoch()).isNotEqualTo(oldEpoch);

            publish(second, second.apiKey("publish"), channel, "{\"n\":2}");
            eventually().until(() -> feed.publications.size() == 2);
            assertThat(feed.data()).containsExactly("{\"n\":1}", "{\"n\":2}");
            assertThat(feed.publications.get(1).epoch()).isNotEqualTo(oldEpoch);
        }
    }

    @Test
    void aDrainsRetryAfterIsWaitedOutBeforeTheReconnect() throws Exception {
        first = new TestGatehouse().with("shutdown.drain", "2s").start();
        int port = first.gatehouse().port();
        Recorder events = new Recorder();
        try (GatehouseClient client =
                GatehouseClient.connect(options(first.ws(), TokenProvider.of(Fixtures.jwt(unique("drained"))), events)
                        .build())) {
            eventually().until(() -> client.state() == ConnectionState.CONNECTED);
            TestGatehouse draining = first;
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(draining::close);
            eventually()
                    .until(() ->
                            !events.into(ConnectionState.RECONNECT_SCHEDULED).isEmpty());
            Recorder.Timed closed =
                    events.into(ConnectionState.RECONNECT_SCHEDULED).get(0);
            StateChange drain = closed.change();
            assertThat(drain.closeCode()).isEqualTo(1012);
            assertThat(drain.refusal().code()).isEqualTo(RefusalCode.SERVER_SHUTTING_DOWN);
            long retryAfter = drain.refusal().retryAfterMillis();
            assertThat(retryAfter).isPositive();
            assertThat(drain.delay()).isGreaterThanOrEqualTo(Duration.ofMillis(retryAfter));

            stopping.get(30, TimeUnit.SECONDS);
            first = null;
            second = startOn(port);
            eventually().until(() -> events.connected.size() == 2);

            // The first attempt after the close came no earlier than the server asked.
            Recorder.Timed reconnect = events.states.stream()
                    .filter(t -> t.nanos() > closed.nanos() && t.change().state() == ConnectionState.CONNECTING)
                    .findFirst()
                    .orElseThrow();
            assertThat(Duration.ofNanos(reconnect.nanos() - closed.nanos()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(retryAfter));
        }
    }
}
