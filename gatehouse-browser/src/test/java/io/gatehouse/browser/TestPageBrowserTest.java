package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, in Chromium: the /test page as a developer uses it, by its stable ids (listed at the top
 * of test-page.js): a pasted token connects and shows user, expiry and round trip, a subscription
 * receives a publish; a bad token shows the refusal's code and hint; the login form connects with
 * the cookie session and Recheck succeeds. Screenshots go to {@code target/test-page-*.png}.
 */
class TestPageBrowserTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    private static Page open(BrowserContext context) {
        Page page = context.newPage();
        page.onPageError(e -> System.out.println("[/test] error: " + e));
        page.navigate(server.url() + "/test");
        page.waitForSelector("#state[data-state]");
        return page;
    }

    private static void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "test-page-" + name + ".png")));
    }

    @Test
    void aPastedTokenConnectsShowsTheUserAndReceivesAPublish() {
        try (BrowserContext context = chromium.newContext()) {
            Page page = open(context);
            page.fill("#token", Jwts.hs256For("page-user"));
            page.click("#connect");
            page.waitForSelector("#state[data-state=connected]");
            assertThat(page.textContent("#user")).isEqualTo("page-user");
            assertThat(page.textContent("#countdown")).isNotBlank();
            page.waitForSelector("#rtt[data-ms]");

            page.fill("#channel", "news");
            page.click("#subscribe");
            page.waitForSelector("[data-testid=subscription][data-channel=news][data-status=subscribed]");
            server.publish("news", "{\"headline\":\"from the test\"}");
            page.waitForSelector("#log li[data-kind=message][data-channel=news]");
            assertThat(page.textContent("#log")).contains("from the test");
            assertThat(page.getAttribute("#refusal", "data-present")).isEqualTo("false");
            screenshot(page, "connected");
        }
    }

    @Test
    void aBadTokenShowsTheRefusalCodeAndHint() {
        try (BrowserContext context = chromium.newContext()) {
            Page page = open(context);
            page.fill("#token", "not-a-token");
            page.click("#connect");
            page.waitForSelector("#refusal[data-present=true]");
            assertThat(page.textContent("#refusal-code")).isEqualTo("TOKEN_INVALID");
            assertThat(page.textContent("#refusal-hint")).contains("not valid");
            assertThat(page.getAttribute("#state", "data-state")).isEqualTo("stopped");
            assertThat(page.content()).doesNotContain("not-a-token");
            screenshot(page, "refused");
        }
    }

    @Test
    void aLinkCannotPointThePageAtAnotherServer() {
        try (BrowserContext context = chromium.newContext()) {
            Page page = context.newPage();
            page.navigate(server.url() + "/test?url=ws://evil.example.test:9/ws&mode=cookie&connect=1");
            page.waitForSelector("#state[data-state]");
            assertThat(page.inputValue("#ws-url")).isEqualTo(server.url().replaceFirst("^http", "ws") + "/ws");
            page.fill("#ws-url", "ws://evil.example.test:9/ws");
            page.check("#mode-token");
            page.fill("#token", Jwts.hs256For("page-user"));
            page.click("#connect");
            page.waitForSelector("#log li[data-kind=error]");
            assertThat(page.textContent("#log")).contains("only to its own server");
        }
    }

    @Test
    void theLoginFormConnectsWithTheCookieSessionAndRecheckSucceeds() {
        try (BrowserContext context = chromium.newContext()) {
            Page page = open(context);
            page.check("#mode-cookie");
            page.fill("#login-user", "alice");
            page.fill("#login-password", "alice-password");
            page.click("#login");
            page.waitForSelector("#state[data-state=connected]");
            assertThat(page.textContent("#user")).isEqualTo("local:alice");
            page.click("#recheck");
            page.waitForSelector("#recheck-result[data-outcome=ok]");
            page.waitForSelector("#state[data-state=connected]");
            screenshot(page, "session");
        }
    }
}
