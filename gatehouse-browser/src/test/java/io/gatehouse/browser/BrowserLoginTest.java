package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, in Chromium: the browser client logs in (token or cookie session) and receives a
 * publish; a refused token reaches {@code onAuthError} with its code and hint, and is never tried
 * again (one upgrade in the page, one in the access log).
 */
class BrowserLoginTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    @Test
    void aTokenPageConnectsAndReceivesAPublish() {
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ClientPage.open(context, server.url(), server.url());
            tab.until("true");
            assertThat(tab.number("() => window.sockets.length"))
                    .as("no socket before connect")
                    .isZero();
            tab.connectWithToken("gh", Jwts.hs256For("token-user"));
            tab.awaitState("gh", "connected");
            assertThat(tab.text("() => window.gh.user.id")).isEqualTo("token-user");
            tab.subscribe("gh", "news");
            tab.until("window.events.some((e) => e.kind === 'gh:subscribed:news')");
            server.publish("news", "{\"hello\":\"browser\"}");
            tab.until("window.got['gh|news'].length === 1");
            assertThat(tab.text("() => JSON.stringify(window.got['gh|news'][0].data)"))
                    .isEqualTo("{\"hello\":\"browser\"}");
            assertThat(tab.number("() => window.sockets.length")).isEqualTo(1);
        }
    }

    @Test
    void aCookieSessionPageLogsInConnectsAndReceivesAPublish() {
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ClientPage.open(context, server.url(), server.url());
            assertThat(tab.logIn("alice", "alice-password")).isEqualTo(200);
            tab.connectWithSession("gh");
            tab.awaitState("gh", "connected");
            assertThat(tab.text("() => window.gh.user.id")).isEqualTo("local:alice");
            tab.subscribe("gh", "news-session");
            tab.until("window.events.some((e) => e.kind === 'gh:subscribed:news-session')");
            server.publish("news-session", "{\"n\":1}");
            tab.until("window.got['gh|news-session'].length === 1");
        }
    }

    @Test
    void aRefusedTokenReachesOnAuthErrorWithCodeAndHintAndIsNeverRetried() throws Exception {
        String admin = server.apiKey("admin");
        int refusedBefore = refusedUpgrades(admin);
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ClientPage.open(context, server.url(), server.url());
            tab.connectWithToken("gh", "not-a-valid-token-" + System.nanoTime());
            tab.until("window.events.some((e) => e.kind === 'gh:authError')");
            assertThat(tab.text("() => window.events.find((e) => e.kind === 'gh:authError').code"))
                    .isEqualTo("TOKEN_INVALID");
            assertThat(tab.text("() => window.events.find((e) => e.kind === 'gh:authError').hint"))
                    .isNotBlank();
            assertThat(tab.text("() => window.gh.state")).isEqualTo("stopped");

            // Long enough for two backoff rounds (0.5 s, then up to 1 s) had the client retried.
            Thread.sleep(Duration.ofSeconds(3).toMillis());
            assertThat(tab.number("() => window.sockets.length"))
                    .as("upgrades the page made")
                    .isEqualTo(1);
            assertThat(tab.count("gh:authError")).isEqualTo(1);
        }
        org.awaitility.Awaitility.await()
                .atMost(ClientPage.WAIT)
                .until(() -> refusedUpgrades(admin) == refusedBefore + 1);
        Thread.sleep(500); // the access log writes in batches: nothing more may come
        assertThat(refusedUpgrades(admin))
                .as("TOKEN_INVALID upgrades in the access log")
                .isEqualTo(refusedBefore + 1);
    }

    private static int refusedUpgrades(String adminKey) {
        TestGatehouse.Reply r = server.get(
                "/api/v1/access-log?outcome=TOKEN_INVALID&limit=1000", "Authorization", "apikey " + adminKey);
        assertThat(r.status()).isEqualTo(200);
        return r.body().path("entries").size();
    }
}
