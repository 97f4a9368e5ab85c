package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, in Chromium: credentials on open sockets. A token about to expire is refreshed in-band
 * from {@code getToken()} without a reconnect or a lost message; a stale CSRF token is refreshed
 * ({@code POST auth/refresh}) before the socket is retried, and {@code gh.recheck()} does the same
 * on demand and resolves with the outcome.
 */
class BrowserCredentialsTest {
    @RegisterExtension
    static final TestGatehouse server =
            new TestGatehouse().with("auth.jwt.clock_skew", "0s").with("auth.session.csrf_max_age", "2s");

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    @Test
    void aTokenAboutToExpireIsRefreshedInBandWithoutAReconnectOrALostMessage() throws Exception {
        String user = "refresher-" + System.nanoTime();
        String shortLived = Jwts.hs256(
                Jwts.claims(user).expirationTime(Date.from(Instant.now().plusSeconds(4))));
        String longLived = Jwts.hs256For(user);
        String channel = "ticks-" + System.nanoTime();
        int total = 60;
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ClientPage.open(context, server.url(), server.url());
            tab.eval(
                    "([url, first, later]) => { let calls = 0; window.getTokenCalls = () => calls;"
                            + " window.gh = window.Gatehouse.connect({url,"
                            + " getToken: async () => (calls++ === 0 ? first : later),"
                            + " onAuthError: window.record('gh:authError'), onStateChange: window.record('gh:state')}); }",
                    List.of(tab.wsUrl(), shortLived, longLived));
            tab.awaitState("gh", "connected");
            tab.subscribe("gh", channel);
            tab.until("window.events.some((e) => e.kind === 'gh:subscribed:" + channel + "')");

            // One publication every 100 ms, across the first token's expiry (4 s).
            AtomicInteger sent = new AtomicInteger();
            ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
            try {
                publisher.scheduleAtFixedRate(
                        () -> {
                            if (sent.get() < total) {
                                server.publish(channel, "{\"n\":" + sent.incrementAndGet() + "}");
                            }
                        },
                        0,
                        100,
                        TimeUnit.MILLISECONDS);
                tab.until("window.got['gh|" + channel + "'].length === " + total, Duration.ofSeconds(30));
            } finally {
                publisher.shutdownNow();
            }
            assertThat(tab.number("() => window.getTokenCalls()")).isGreaterThanOrEqualTo(2);
            assertThat(tab.number("() => window.sockets.length"))
                    .as("the refresh went in-band: no second socket")
                    .isEqualTo(1);
            assertThat(tab.text("() => window.gh.state")).isEqualTo("connected");
            assertThat(tab.number("() => window.gh.expiresAt.getTime() > Date.now() + 600000 ? 1 : 0"))
                    .as("expiresAt is the new token's")
                    .isEqualTo(1);
            assertThat(tab.text("() => window.got['gh|" + channel + "'].map((m) => m.data.n).join(',')"))
                    .isEqualTo(String.join(
                            ",",
                            java.util.stream.IntStream.rangeClosed(1, total)
                                    .mapToObj(Integer::toString)
                                    .toList()));
            assertThat(tab.count("gh:authError")).isZero();
        }
    }

    @Test
    void aStaleCsrfTokenIsRefreshedBeforeTheSocketIsTriedAgainAndRecheckResolvesOk() throws Exception {
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ClientPage.open(context, server.url(), server.url());
            assertThat(tab.logIn("alice", "alice-password")).isEqualTo(200);
            Thread.sleep(2_500); // the CSRF token is now stale (auth.session.csrf_max_age: 2s)

            tab.connectWithSession("gh");
            tab.awaitState("gh", "connected");
            assertThat(tab.number("() => window.sockets.length"))
                    .as("refused once with CSRF_TOKEN_EXPIRED, then connected after POST auth/refresh")
                    .isEqualTo(2);
            assertThat(tab.count("gh:authError")).isZero();

            Thread.sleep(2_500); // stale again: the "Recheck" button of the seed report
            String csrfBefore = tab.text("() => document.cookie");
            Object outcome = tab.eval("async () => JSON.stringify(await window.gh.recheck())");
            assertThat(outcome.toString()).contains("\"ok\":true").contains("local:alice");
            assertThat(tab.text("() => window.gh.state")).isEqualTo("connected");
            assertThat(tab.text("() => document.cookie")).as("a fresh gh_csrf").isNotEqualTo(csrfBefore);
            assertThat(tab.number("() => window.openSockets()")).isEqualTo(1);
        }
    }
}
