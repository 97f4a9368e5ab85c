package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, in Chromium: a socket that drops (here: closed under the client with a code that is
 * no refusal, as a network change would) is reopened, and the subscription resumes from where it
 * was: {@code recovered: true}, the publications sent meanwhile first, then live ones, no gap and
 * no repeat.
 */
class BrowserRecoveryTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @Test
    void aDroppedSocketResumesItsSubscriptionWithoutAGapOrARepeat() {
        String channel = "resume-" + System.nanoTime();
        try (BrowserContext context = chromium.newContext()) {
            ClientPage tab = ClientPage.open(context, server.url(), server.url());
            tab.connectWithToken("gh", Jwts.hs256For("resumer"));
            tab.awaitState("gh", "connected");
            tab.subscribe("gh", channel);
            tab.until("window.events.some((e) => e.kind === 'gh:subscribed:" + channel + "')");
            for (int n = 1; n <= 5; n++) {
                server.publish(channel, "{\"n\":" + n + "}");
            }
            tab.until("window.got['gh|" + channel + "'].length === 5");

            // Offline first, so that the page cannot be back before the publications below.
            context.setOffline(true);
            tab.eval("() => window.sockets.at(-1).socket.close(4000, 'network changed')");
            tab.until("window.events.some((e) => e.kind === 'gh:state' && e.state === 'reconnecting')");
            for (int n = 6; n <= 10; n++) {
                server.publish(channel, "{\"n\":" + n + "}"); // while the page has no socket
            }
            context.setOffline(false);
            tab.until("window.events.filter((e) => e.kind === 'gh:subscribed:" + channel + "').length === 2");
            assertThat(tab.text("() => String(window.events.filter((e) => e.kind === 'gh:subscribed:" + channel
                            + "')[1].recovered)"))
                    .isEqualTo("true");
            for (int n = 11; n <= 15; n++) {
                server.publish(channel, "{\"n\":" + n + "}");
            }
            tab.until("window.got['gh|" + channel + "'].length >= 15");
            assertThat(tab.text("() => window.got['gh|" + channel + "'].map((m) => m.data.n).join(',')"))
                    .isEqualTo("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
            assertThat(tab.text("() => window.got['gh|" + channel + "'].map((m) => m.offset).join(',')"))
                    .isEqualTo("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
            assertThat(tab.number("() => window.openSockets()")).isEqualTo(1);
        }
    }
}
