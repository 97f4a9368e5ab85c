package io.gatehouse.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing lost across reconnects (SPEC §5): a client that comes back with {@code since} gets
 * exactly what it missed, or {@code recovered: false} when that cannot be.
 */
class ReconnectRecoveryTest {
    static final int PUBLICATIONS = 2_000;

    TestGatehouse server;
    String publishKey;

    @BeforeEach
    void start() {
        server = new TestGatehouse()
                .with("channels.namespaces.feed.history_size", PUBLICATIONS)
                .with("channels.namespaces.short.history_size", 2)
                .start();
        publishKey = "apikey " + server.apiKey("publish");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    JsonNode publish(String target, String data) {
        TestGatehouse.Reply r =
                server.post("/api/v1/publish", "{" + target + ",\"data\":" + data + "}", "Authorization", publishKey);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    JsonNode publish(String channel, int n) {
        return publish("\"channel\":\"" + channel + "\"", String.valueOf(n));
    }

    static List<Long> offsets(JsonNode publications) {
        List<Long> out = new ArrayList<>();
        publications.forEach(p -> out.add(p.get("offset").asLong()));
        return out;
    }

    @Test
    void aClientThatComesBackWithSinceGetsWhatItMissedThenLiveOnes() {
        String epoch;
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode subscribed = ws.subscribe("feed:a");
            assertThat(subscribed.get("recovered").asBoolean()).isFalse();
            assertThat(subscribed.get("offset").asLong()).isZero();
            epoch = subscribed.get("epoch").asText();
            for (int i = 1; i <= 3; i++) {
                assertThat(publish("feed:a", i).get("epoch").asText()).isEqualTo(epoch);
                JsonNode m = ws.awaitType("message");
                assertThat(m.get("offset").asLong()).isEqualTo(i);
                assertThat(m.get("epoch").asText()).isEqualTo(epoch);
            }
        }
        publish("feed:a", 4);
        publish("feed:a", 5);
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode subscribed = ws.subscribeSince("feed:a", 3, epoch);
            assertThat(subscribed.get("recovered").asBoolean()).isTrue();
            assertThat(subscribed.get("offset").asLong()).isEqualTo(5);
            assertThat(offsets(subscribed.get("publications"))).containsExactly(4L, 5L);
            assertThat(subscribed.get("publications").get(0).get("data").asInt())
                    .isEqualTo(4);
            publish("feed:a", 6);
            assertThat(ws.awaitType("message").get("offset").asLong()).isEqualTo(6);
        }
    }

    /** Four clients drop and come back at random while 2,000 publications flow: each ends with 1..2000, once each. */
    @Test
    void clientsDroppingAtRandomDuringAStreamEndWithEveryOffsetExactlyOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(5);
        AtomicBoolean publishing = new AtomicBoolean(true);
        List<Future<List<Long>>> clients = new ArrayList<>();
        List<WsRecorder> first = new ArrayList<>();
        String epoch = null;
        for (int c = 0; c < 4; c++) {
            WsRecorder ws = server.connectAs("user" + c);
            epoch = ws.subscribe("feed:storm").get("epoch").asText();
            first.add(ws);
        }
        for (int c = 0; c < 4; c++) {
            WsRecorder ws = first.get(c);
            String user = "user" + c;
            long seed = 1000L + c;
            clients.add(pool.submit(() -> reconnectingClient(ws, user, new Random(seed), publishing)));
        }
        Future<?> publisher = pool.submit(() -> {
            for (int i = 1; i <= PUBLICATIONS; i++) {
                publish("feed:storm", i);
            }
            publishing.set(false);
        });
        publisher.get(120, TimeUnit.SECONDS);
        for (Future<List<Long>> client : clients) {
            List<Long> seen = client.get(60, TimeUnit.SECONDS);
            assertThat(seen)
                    .withFailMessage(() -> firstFault(seen))
                    .isEqualTo(LongStream.rangeClosed(1, PUBLICATIONS).boxed().toList());
        }
        pool.shutdown();
        assertThat(epoch).isNotNull();
    }

    /**
     * Reads for a random while, drops the connection without a close frame, reconnects with the
     * last position it processed, until it has the last publication. Returns every offset it
     * processed, in order.
     */
    private List<Long> reconnectingClient(WsRecorder ws, String user, Random random, AtomicBoolean publishing) {
        List<Long> seen = new ArrayList<>();
        String epoch = null;
        int reconnects = 0;
        while (true) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10 + random.nextInt(150));
            while (System.nanoTime() < until) {
                JsonNode m = ws.pollMessage(Duration.ofMillis(5));
                if (m != null && m.get("type").asText().equals("message")) {
                    assertThat(epoch == null || epoch.equals(m.get("epoch").asText()))
                            .isTrue();
                    epoch = m.get("epoch").asText();
                    seen.add(m.get("offset").asLong());
                }
                if (!publishing.get() && !seen.isEmpty() && seen.get(seen.size() - 1) == PUBLICATIONS) {
                    ws.close();
                    assertThat(reconnects).isPositive();
                    return seen;
                }
            }
            ws.socket().abort(); // gone without a close frame; whatever was in flight is lost
            ws = server.connectAs(user);
            reconnects++;
            long last = seen.isEmpty() ? 0 : seen.get(seen.size() - 1);
            JsonNode subscribed = ws.subscribeSince("feed:storm", last, epoch == null ? firstEpoch(ws) : epoch);
            assertThat(subscribed.get("recovered").asBoolean())
                    .as("recovered after %s", last)
                    .isTrue();
            epoch = subscribed.get("epoch").asText();
            seen.addAll(offsets(subscribed.get("publications")));
        }
    }

    /** Where {@code seen} first departs from 1, 2, 3 …: a gap or a duplicate. */
    private static String firstFault(List<Long> seen) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) != i + 1) {
                return "after offset " + i + " came " + seen.get(i) + (seen.get(i) <= i ? " (a duplicate)" : " (a gap)")
                        + "; " + seen.size() + " offsets in all";
            }
        }
        return seen.size() + " offsets, expected " + PUBLICATIONS;
    }

    /** The channel's epoch, for a client that dropped before its first message. */
    private static String firstEpoch(WsRecorder ws) {
        ws.send("{\"type\":\"history\",\"channel\":\"feed:storm\",\"limit\":0}");
        return ws.awaitType("history").get("epoch").asText();
    }

    @Test
    void afterAServerRestartTheMemoryBrokersHistoryIsGoneAndTheClientIsToldSo() {
        JsonNode first = publish("feed:r", 1);
        server.close();
        server.start();
        publishKey = "apikey " + server.apiKey("publish");
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode subscribed = ws.subscribeSince(
                    "feed:r", first.get("offset").asLong(), first.get("epoch").asText());
            assertThat(subscribed.get("recovered").asBoolean()).isFalse();
            assertThat(subscribed.get("epoch").asText())
                    .isNotEqualTo(first.get("epoch").asText());
            assertThat(subscribed.get("offset").asLong()).isZero();
            assertThat(subscribed.get("publications")).isEmpty();
            assertThat(publish("feed:r", 2).get("offset").asLong()).isEqualTo(1);
            assertThat(ws.awaitType("message").get("offset").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aGapAlreadyTrimmedFromHistoryIsNotRecovered() {
        String epoch = publish("short:x", 1).get("epoch").asText();
        for (int i = 2; i <= 5; i++) {
            publish("short:x", i);
        }
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode subscribed = ws.subscribeSince("short:x", 1, epoch);
            assertThat(subscribed.get("recovered").asBoolean()).isFalse();
            assertThat(subscribed.get("offset").asLong()).isEqualTo(5);
            assertThat(subscribed.get("epoch").asText()).isEqualTo(epoch);
            assertThat(subscribed.get("publications")).isEmpty();
            // and the one it could still have had is not a reason to refuse: since 3 recovers 4, 5
            ws.unsubscribe("short:x");
            JsonNode again = ws.subscribeSince("short:x", 3, epoch);
            assertThat(again.get("recovered").asBoolean()).isTrue();
            assertThat(offsets(again.get("publications"))).containsExactly(4L, 5L);
        }
        assertThat(server.get("/metrics").raw().body())
                .contains(
                        "gatehouse_recoveries_total{outcome=\"not_recovered\"} 1.0",
                        "gatehouse_recoveries_total{outcome=\"recovered\"} 1.0");
    }

    @Test
    void subscribingTwiceIsAnErrorAndTheConnectionStays() {
        try (WsRecorder ws = server.connectAs("alice")) {
            ws.subscribe("feed:twice");
            ws.send("{\"type\":\"subscribe\",\"channel\":\"feed:twice\",\"id\":7}");
            JsonNode error = ws.awaitType("error");
            assertThat(error.get("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(error.get("message").asText()).contains("Already subscribed");
            assertThat(error.get("id").asInt()).isEqualTo(7);
            ws.send("{\"type\":\"subscribe\",\"channel\":\"feed:x\",\"since\":{\"offset\":-1,\"epoch\":\"e\"}}");
            assertThat(ws.awaitType("error").get("message").asText()).contains("since");
            publish("feed:twice", 1);
            assertThat(ws.awaitType("message").get("offset").asLong()).isEqualTo(1);
        }
    }

    /** The personal channel is subscribed on connect; subscribing to it with since recovers what came before. */
    @Test
    void messagesToAUserWhileAwayAreRecoveredOnThePersonalChannel() {
        String epoch;
        try (WsRecorder ws = server.connectAs("alice")) {
            publish("\"user\":\"alice\"", "1");
            JsonNode m = ws.awaitType("message");
            assertThat(m.get("channel").asText()).isEqualTo("#alice");
            epoch = m.get("epoch").asText();
        }
        publish("\"user\":\"alice\"", "2");
        publish("\"user\":\"alice\"", "3");
        try (WsRecorder ws = server.connectAs("alice")) {
            JsonNode subscribed = ws.subscribeSince("#alice", 1, epoch);
            assertThat(subscribed.get("recovered").asBoolean()).isTrue();
            assertThat(offsets(subscribed.get("publications"))).containsExactly(2L, 3L);
            assertThat(subscribed.get("offset").asLong()).isEqualTo(3);
            publish("\"user\":\"alice\"", "4");
            assertThat(ws.awaitType("message").get("offset").asLong()).isEqualTo(4);
            ws.send("{\"type\":\"subscribe\",\"channel\":\"#alice\"}");
            assertThat(ws.awaitType("error").get("message").asText()).contains("Already subscribed");
        }
    }
}
