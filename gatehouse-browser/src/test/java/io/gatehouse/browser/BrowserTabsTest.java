package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, in Chromium: tabs that share one token (DRF and Knox give a user one) each keep their
 * socket; components that connect twice in one page (React StrictMode, hot reload) share one.
 */
class BrowserTabsTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    private static int connectionsOf(String user) {
        TestGatehouse.Reply r =
                server.get("/api/v1/connections?user=" + user, "Authorization", "apikey " + server.apiKey("admin"));
        assertThat(r.status()).isEqualTo(200);
        return r.body().path("connections").size();
    }

    @Test
    void twoTabsWithOneTokenBothStayConnected() throws Exception {
        String user = "tabs-" + System.nanoTime();
        String token = Jwts.hs256For(user);
        try (BrowserContext context = chromium.newContext()) {
            ClientPage first = ClientPage.open(context, server.url(), server.url());
            ClientPage second = ClientPage.open(context, server.url(), server.url());
            first.connectWithToken("gh", token);
            first.awaitState("gh", "connected");
            second.connectWithToken("gh", token);
            second.awaitState("gh", "connected");
            assertThat(first.text("() => window.gh.instanceId"))
                    .isNotEqualTo(second.text("() => window.gh.instanceId"));

            Thread.sleep(1_500); // a replace would have closed the first tab by now
            assertThat(first.text("() => window.gh.state")).isEqualTo("connected");
            assertThat(second.text("() => window.gh.state")).isEqualTo("connected");
            assertThat(first.number("() => window.closes.length")).isZero();
            assertThat(connectionsOf(user)).isEqualTo(2);

            first.subscribe("gh", "shared");
            second.subscribe("gh", "shared");
            first.until("window.events.some((e) => e.kind === 'gh:subscribed:shared')");
            second.until("window.events.some((e) => e.kind === 'gh:subscribed:shared')");
            server.publish("shared", "{\"to\":\"both\"}");
            first.until("window.got['gh|shared'].length === 1");
            second.until("window.got['gh|shared'].length === 1");
        }
    }

    @Test
    void connectingTwiceInOnePageGivesOneSocketAndAStrictModeRemountNeverTwo() throws Exception {
        String user = "strict-" + System.nanoTime();
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ClientPage.open(context, server.url(), server.url());
            tab.eval(
                    "([url, token]) => { const options = {url, getToken: async () => token};"
                            + " window.maxOpen = 0; setInterval(() => {"
                            + " window.maxOpen = Math.max(window.maxOpen, window.openSockets()); }, 5);"
                            + " window.a = window.Gatehouse.connect(options);"
                            + " window.b = window.Gatehouse.connect(options); }",
                    List.of(tab.wsUrl(), Jwts.hs256For(user)));
            tab.awaitState("a", "connected");
            tab.awaitState("b", "connected");
            assertThat(tab.number("() => window.sockets.length")).isEqualTo(1);
            assertThat(connectionsOf(user)).isEqualTo(1);

            // StrictMode: the effect runs, is cleaned up, runs again.
            tab.eval(
                    "([url, token]) => { window.a.close(); window.b.close();"
                            + " window.c = window.Gatehouse.connect({url, getToken: async () => token}); }",
                    List.of(tab.wsUrl(), Jwts.hs256For(user)));
            tab.awaitState("c", "connected");
            Thread.sleep(500);
            assertThat(tab.number("() => window.maxOpen"))
                    .as("sockets open at once")
                    .isEqualTo(1);
            assertThat(tab.number("() => window.openSockets()")).isEqualTo(1);
            assertThat(connectionsOf(user)).isEqualTo(1);

            // Logout: close() drops the socket on the server too.
            tab.eval("() => window.c.close()");
            tab.until("window.openSockets() === 0");
            org.awaitility.Awaitility.await().atMost(ClientPage.WAIT).until(() -> connectionsOf(user) == 0);
            assertThat(tab.text("() => window.c.state")).isEqualTo("closed");
        }
    }
}
