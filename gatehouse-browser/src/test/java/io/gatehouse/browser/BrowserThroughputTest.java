package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, in Chromium: 1,000 messages a second to one page for 10 s, and the page's subscriber
 * sees every one, in order, once (offsets 1 to 10,000 without a gap or a repeat). The publisher is
 * a WebSocket client paced at 10 messages every 10 ms; the figures go to the test's output.
 */
class BrowserThroughputTest {
    static final int PER_SECOND = 1_000;
    static final int SECONDS = 10;
    static final int TOTAL = PER_SECOND * SECONDS;

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("channels.namespaces.load.publish", "authenticated")
            .with("limits.messages_per_connection", Map.of("rate", 5_000, "burst", 5_000));

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @Test
    void aThousandMessagesASecondForTenSecondsReachThePageWithoutALoss() throws Exception {
        String channel = "load:stream-" + System.nanoTime();
        try (BrowserContext context = chromium.newContext();
                WsRecorder publisher = server.connectAs("publisher")) {
            ClientPage tab = ClientPage.open(context, server.url(), server.url());
            tab.eval(
                    "([url, token, channel]) => { window.load = {count: 0, last: 0, gaps: 0, firstAt: 0, lastAt: 0};"
                            + " window.gh = window.Gatehouse.connect({url, getToken: async () => token});"
                            + " window.gh.subscribe(channel, (data, meta) => { const s = window.load;"
                            + " if (s.count === 0) s.firstAt = Date.now(); s.count++; s.lastAt = Date.now();"
                            + " if (meta.offset !== s.last + 1) s.gaps++; s.last = meta.offset; },"
                            + " {onSubscribed: () => { window.subscribed = true; }}); }",
                    java.util.List.of(tab.wsUrl(), Jwts.hs256For("reader"), channel));
            tab.until("window.subscribed === true");

            AtomicInteger sent = new AtomicInteger();
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
            long start = System.nanoTime();
            try {
                pacer.scheduleAtFixedRate(
                        () -> {
                            for (int i = 0; i < PER_SECOND / 100 && sent.get() < TOTAL; i++) {
                                publisher.sendJson("{\"type\":\"publish\",\"channel\":\"" + channel
                                        + "\",\"data\":{\"n\":" + sent.incrementAndGet() + "}}");
                            }
                        },
                        0,
                        10,
                        TimeUnit.MILLISECONDS);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() == TOTAL);
            } finally {
                pacer.shutdownNow();
            }
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            tab.until("window.load.count >= " + TOTAL, Duration.ofSeconds(60));
            Thread.sleep(300); // a duplicate would arrive right behind
            System.out.printf(
                    "browser throughput: sent %d in %.2f s (%.0f/s); the page received %d, last offset %d, gaps %d,"
                            + " first to last delivery %d ms%n",
                    TOTAL,
                    sendSeconds,
                    TOTAL / sendSeconds,
                    tab.number("() => window.load.count"),
                    tab.number("() => window.load.last"),
                    tab.number("() => window.load.gaps"),
                    tab.number("() => window.load.lastAt - window.load.firstAt"));
            assertThat(tab.number("() => window.load.count")).isEqualTo(TOTAL);
            assertThat(tab.number("() => window.load.last")).isEqualTo(TOTAL);
            assertThat(tab.number("() => window.load.gaps")).isZero();
            assertThat(tab.text("() => window.gh.state")).isEqualTo("connected");
            assertThat(tab.number("() => window.sockets.length")).isEqualTo(1);
        }
    }
}
