package io.gatehouse.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.store.Database;
import io.gatehouse.store.PostgresTestSchema;
import io.gatehouse.store.WebhookEvent;
import io.gatehouse.store.WebhookStore;
import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL share one outbox: each event is sent by one of them, once, whichever
 * node wrote it (issue 15).
 */
class WebhookNodesTest {
    private static final String SECRET = "webhook-test-secret";
    /** Events in the outbox before the nodes start: both delivery workers find all of them due at once. */
    private static final int WAITING = 300;
    /** Events each node raises while both deliver. */
    private static final int RAISED_PER_NODE = 100;

    private final PostgresTestSchema schema = new PostgresTestSchema();

    @BeforeEach
    void createSchema() throws Exception {
        schema.create();
    }

    @AfterEach
    void dropSchema() throws Exception {
        schema.drop();
    }

    private TestGatehouse node(WebhookReceiver receiver) {
        return new TestGatehouse()
                .with("database.url", schema.url())
                .with("database.username", PostgresTestSchema.USER)
                .with("hooks.url", receiver.url())
                .with("hooks.secret", SECRET)
                .with("hooks.timeout", "5s")
                .with("shutdown.drain", "100ms");
    }

    @Test
    void twoNodesDeliverEachEventOfTheSharedOutboxExactlyOnce() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET)) {
            receiver.delayMillis = 5; // a backend that takes a moment: deliveries of both nodes overlap
            List<String> expected = new ArrayList<>();
            try (Database db = schema.open()) {
                Instant now = Instant.now();
                List<WebhookEvent> waiting = new ArrayList<>();
                for (int i = 0; i < WAITING; i++) {
                    String id = "evt_waiting_" + i;
                    waiting.add(WebhookEvent.pending(
                            id,
                            WebhookEvents.TOKEN_REVOKED,
                            now,
                            "{\"id\":\"" + id + "\",\"type\":\"token.revoked\",\"data\":{}}"));
                    expected.add(id);
                }
                new WebhookStore(db).insert(waiting);
            }
            try (TestGatehouse a = node(receiver).start();
                    TestGatehouse b = node(receiver).start()) {
                ExecutorService raisers = Executors.newFixedThreadPool(2);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> raising = new ArrayList<>();
                for (TestGatehouse node : List.of(a, b)) {
                    raising.add(raisers.submit(() -> {
                        go.await();
                        for (int i = 0; i < RAISED_PER_NODE; i++) {
                            node.gatehouse()
                                    .hooks()
                                    .enqueue(
                                            WebhookEvents.TOKEN_REVOKED,
                                            TestGatehouse.JSON
                                                    .createObjectNode()
                                                    .put(
                                                            "credential_id",
                                                            "ght_"
                                                                    + node.gatehouse()
                                                                            .port() + "_" + i));
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : raising) {
                    f.get(30, TimeUnit.SECONDS);
                }
                raisers.shutdown();
                int total = WAITING + 2 * RAISED_PER_NODE;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (receiver.events.size() < total && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(receiver.events).as("distinct events received").hasSize(total);
                assertThat(receiver.events.keySet()).containsAll(expected);
                // Long enough for another poll of both workers: a late second copy would show.
                Thread.sleep(1_500);
                Map<String, Integer> copies = new HashMap<>();
                receiver.arrivals.forEach(id -> copies.merge(id, 1, Integer::sum));
                assertThat(copies.entrySet().stream()
                                .filter(e -> e.getValue() > 1)
                                .toList())
                        .as("events sent more than once")
                        .isEmpty();
                assertThat(receiver.arrivals).hasSize(total);
                assertThat(receiver.rejected).hasValue(0);
                assertThat(new WebhookStore(a.gatehouse().database()).pendingCount())
                        .as("events left pending")
                        .isZero();
            }
        }
    }
}
