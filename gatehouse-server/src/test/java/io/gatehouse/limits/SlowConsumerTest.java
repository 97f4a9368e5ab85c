package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.ChannelName;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * One client that stops reading must not slow the others or grow the heap without bound: past
 * limits.outbound_buffer it is closed with 4508 SLOW_CONSUMER (SPEC §7).
 */
class SlowConsumerTest {
    static final int MESSAGES = 3000;
    static final int BATCH = 50; // 400 KB at a time: well inside a live client's 2 MiB allowance

    static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void aClientThatStopsReadingIsClosedWith4508WhileANormalOneGetsEveryMessage() {
        try (TestGatehouse server = new TestGatehouse()
                        .with("limits.outbound_buffer", "2MiB")
                        .start();
                RawWebSocket stalled =
                        RawWebSocket.connect(server.ws(), "Authorization: Bearer " + Jwts.hs256For("sleepy"));
                WsRecorder normal = server.connectAs("awake")) {
            assertThat(stalled.readFrame(5000).text()).contains("connection_established");
            stalled.sendText("{\"type\":\"subscribe\",\"channel\":\"firehose\"}");
            assertThat(stalled.readFrame(5000).text()).contains("subscribed");
            normal.subscribe("firehose");
            // From here the stalled client reads nothing.

            long before = usedHeap();
            String data = "\"" + "x".repeat(8 * 1024) + "\"";
            ChannelName firehose = ChannelName.parse("firehose").orElseThrow();
            AtomicInteger received = new AtomicInteger();
            for (int sent = 0; sent < MESSAGES; sent += BATCH) {
                for (int i = 0; i < BATCH; i++) {
                    server.gatehouse().broker().publish(firehose, data);
                }
                int expected = sent + BATCH;
                // The normal subscriber keeps up, as a live browser does.
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                    while (received.get() < expected) {
                        if (!"message".equals(normal.awaitMessage().path("type").asText())) {
                            continue;
                        }
                        received.incrementAndGet();
                    }
                    return true;
                });
            }
            assertThat(received.get()).isEqualTo(MESSAGES);
            long after = usedHeap();
            assertThat(after).as("heap after (bytes) vs before " + before).isLessThan(2 * before);

            // The stalled client, reading again, finds its backlog and then the 4508 behind it.
            RawWebSocket.Frame close = stalled.awaitClose(15_000);
            assertThat(close.closeCode()).isEqualTo(4508);
            assertThat(close.closeReason()).isEqualTo("SLOW_CONSUMER");
            assertThat(server.get("/metrics").raw().body()).contains("gatehouse_slow_consumers_total 1.0");
        }
    }
}
