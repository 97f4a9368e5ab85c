package io.gatehouse.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The acceptance, at full length: a receiver down for 30 s (refusing with 503, then not
 * listening at all while the server restarts), then up, gets every event exactly once after
 * de-duplication by id, of every kind, raised before and after the restart.
 */
class WebhookOutageTest {
    static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    void aReceiverDownForThirtySecondsThroughARestartGetsEveryEventOnceAfterDeduplication() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhooksTest.SECRET);
                TestGatehouse g = new TestGatehouse()
                        .with("hooks.url", receiver.url())
                        .with("hooks.secret", WebhooksTest.SECRET)
                        .with("hooks.retry_base", "1s") // the default
                        .with("hooks.retry_cap", "5s") // so the test waits at most 5 s once the receiver is up
                        .with("shutdown.drain", "100ms")) {
            receiver.answer = 503;
            long downSince = System.nanoTime();
            g.start();

            // Before the restart: connection.*, task.cancel_requested, token.revoked (API).
            openAndClose(g, "alice");
            String task = createTask(g, "carol");
            TestGatehouse.Reply cancel = g.post(
                    "/api/v1/tasks/" + task + "/cancel", "{}", "Authorization", "Bearer " + Jwts.hs256For("carol"));
            assertThat(cancel.status()).isEqualTo(200);
            String bobs = g.opaqueToken("bob");
            WsRecorder bob = g.connectWith(bobs);
            assertThat(g.delete(
                                    "/api/v1/tokens/" + bobs.substring(0, 12),
                                    "Authorization",
                                    "Bearer " + Jwts.hs256For("bob"))
                            .status())
                    .isEqualTo(200);
            await().atMost(WebhooksTest.WAIT).until(() -> g.gatehouse().hooks().depth() == 6);
            await().atMost(WebhooksTest.WAIT).until(() -> receiver.refused.get() >= 6);
            bob.close();

            Thread.sleep(Math.max(0, OUTAGE.dividedBy(2).toMillis() - millisSince(downSince)));
            receiver.stop(); // not listening at all from now on
            g.restart();

            // After the restart: connection.* and token.revoked (the CLI).
            openAndClose(g, "dave");
            String erins = g.opaqueToken("erin");
            WsRecorder erin = g.connectWith(erins);
            g.cli("token", "revoke", erins.substring(0, 12));
            await().atMost(WebhooksTest.WAIT).until(() -> g.gatehouse().hooks().depth() == 11);
            erin.close();

            Thread.sleep(Math.max(0, OUTAGE.toMillis() - millisSince(downSince)));
            assertThat(receiver.events).as("nothing got through the outage").isEmpty();
            receiver.answer = 200;
            receiver.start();

            await().atMost(WebhooksTest.WAIT).until(() -> receiver.events.size() >= 11);
            await().atMost(WebhooksTest.WAIT).until(() -> g.gatehouse().hooks().depth() == 0);
            assertThat(receiver.events).as("distinct event ids").hasSize(11);
            assertThat(receiver.rejected).hasValue(0);
            assertThat(receiver.events.values().stream()
                            .map(e -> e.path("type").asText())
                            .collect(Collectors.toList()))
                    .containsExactlyInAnyOrder(
                            "connection.opened",
                            "connection.closed", // alice
                            "task.cancel_requested", // carol
                            "connection.opened",
                            "token.revoked",
                            "connection.closed", // bob
                            "connection.opened",
                            "connection.closed", // dave
                            "connection.opened",
                            "token.revoked",
                            "connection.closed"); // erin
            List<String> revokedUsers = receiver.ofType("token.revoked").stream()
                    .map(e -> e.path("data").path("user_id").asText())
                    .toList();
            assertThat(revokedUsers).containsExactlyInAnyOrder("bob", "erin");
            JsonNode cancelled = receiver.ofType("task.cancel_requested").get(0).path("data");
            assertThat(cancelled.path("id").asText()).isEqualTo(task);
            System.out.println("All " + receiver.events.size() + " events in " + receiver.arrivals.size()
                    + " deliveries, " + millisSince(downSince) / 1000 + " s after the receiver went down");
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void openAndClose(TestGatehouse g, String user) {
        g.connectAs(user).close();
    }

    private static String createTask(TestGatehouse g, String owner) {
        TestGatehouse.Reply created = g.post(
                "/api/v1/tasks",
                "{\"owner\":\"" + owner + "\",\"kind\":\"import\",\"title\":\"Numbers\",\"total\":10}",
                "Authorization",
                "apikey " + g.apiKey("publish"));
        assertThat(created.status()).isEqualTo(201);
        return created.body().path("id").asText();
    }
}
