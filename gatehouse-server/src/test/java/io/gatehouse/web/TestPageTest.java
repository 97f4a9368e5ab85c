package io.gatehouse.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12: the connection test page at {@code /test} is served with its script and style, keeps
 * to its Content-Security-Policy (no inline script, style or handler), and has the stable ids that
 * browser tests drive it by.
 */
class TestPageTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    static final ServedPage PAGE = new ServedPage(server, "/test", "/test/test-page.js");

    /** The hooks browser tests use; test-page.js lists them in its header comment. */
    static final List<String> IDS = List.of(
            "ws-url",
            "mode-token",
            "mode-cookie",
            "token",
            "token-masked",
            "connect",
            "disconnect",
            "login-user",
            "login-password",
            "login",
            "logout",
            "session-connect",
            "login-result",
            "csrf-masked",
            "state",
            "state-detail",
            "user",
            "user-name",
            "user-roles",
            "connection-id",
            "instance-id",
            "expires-at",
            "countdown",
            "rtt",
            "ping",
            "refusal",
            "refusal-code",
            "refusal-hint",
            "refusal-at",
            "recheck",
            "recheck-result",
            "channel",
            "subscribe",
            "subscribe-result",
            "subscriptions",
            "publish-channel",
            "publish-data",
            "publish",
            "publish-result",
            "log",
            "log-clear");

    @Test
    void thePageItsScriptsAndItsStyleAreServedWithTheirTypes() {
        PAGE.assertServed("/test", ServedPage.HTML);
        PAGE.assertServed("/test/test-page.js", ServedPage.JAVASCRIPT);
        PAGE.assertServed("/test/test-page-view.js", ServedPage.JAVASCRIPT);
        PAGE.assertServed("/test/test-page-session.js", ServedPage.JAVASCRIPT);
        PAGE.assertServed("/test/test-page.css", ServedPage.CSS);
        PAGE.assertServed("/pages/base.css", ServedPage.CSS);
        PAGE.assertServed("/pages/dom.js", ServedPage.JAVASCRIPT);
        PAGE.assertServed("/pages/csrf-cookie.js", ServedPage.JAVASCRIPT);
    }

    @Test
    void everyFileThePageLoadsIsServed() {
        List<String> loaded = ServedPage.matches(Pattern.compile("(?:src|href)=\"(/[^\"]*)\""), PAGE.html());
        assertThat(loaded).containsSubsequence("/pages/base.css", "/test/test-page.css");
        assertThat(loaded).contains("/test/test-page.js");
        String script = PAGE.body("/test/test-page.js");
        List<String> imports =
                ServedPage.matches(Pattern.compile("^import [^;]* from '([^']+)';", Pattern.MULTILINE), script).stream()
                        .map(i -> URI.create("/test/").resolve(i).getPath())
                        .toList();
        assertThat(imports)
                .contains(
                        "/client/gatehouse.js",
                        "/pages/csrf-cookie.js",
                        "/test/test-page-view.js",
                        "/test/test-page-session.js");
        loaded.addAll(imports);
        for (String path : loaded) {
            assertThat(server.get(path).status()).as(path).isEqualTo(200);
        }
    }

    @Test
    void theHtmlHasNoInlineScriptStyleOrHandler() {
        PAGE.assertNoInlineScriptStyleOrHandler();
    }

    @Test
    void theScriptsWriteTextNeverHtml() {
        for (String path : List.of(
                "/test/test-page.js",
                "/test/test-page-view.js",
                "/test/test-page-session.js",
                "/pages/dom.js",
                "/pages/csrf-cookie.js")) {
            String script = PAGE.body(path);
            for (String html : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")) {
                assertThat(script.contains(html)).as(path + " uses " + html).isFalse();
            }
        }
    }

    @Test
    void everyStableIdIsOnThePageOnceAndListedInTheScript() {
        PAGE.assertEveryStableIdOnceAndListedInTheScript(IDS);
    }
}
