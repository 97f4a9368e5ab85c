package io.gatehouse.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
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
        assertServed("/test", "text/html; charset=utf-8");
        assertServed("/test/test-page.js", "text/javascript; charset=utf-8");
        assertServed("/test/test-page-view.js", "text/javascript; charset=utf-8");
        assertServed("/test/test-page-session.js", "text/javascript; charset=utf-8");
        assertServed("/test/test-page.css", "text/css; charset=utf-8");
    }

    @Test
    void everyFileThePageLoadsIsServed() {
        String html = body("/test");
        List<String> loaded = matches(Pattern.compile("(?:src|href)=\"(/[^\"]*)\""), html);
        assertThat(loaded).contains("/test/test-page.js", "/test/test-page.css");
        String script = body("/test/test-page.js");
        List<String> imports = matches(Pattern.compile("^import [^;]* from '([^']+)';", Pattern.MULTILINE), script);
        assertThat(imports).contains("/client/gatehouse.js", "./test-page-view.js", "./test-page-session.js");
        for (String i : imports) {
            loaded.add(i.startsWith("./") ? "/test/" + i.substring(2) : i);
        }
        for (String path : loaded) {
            assertThat(server.get(path).status()).as(path).isEqualTo(200);
        }
    }

    @Test
    void theHtmlHasNoInlineScriptStyleOrHandler() {
        String html = body("/test");
        assertThat(html).containsPattern("<script type=\"module\" src=\"/test/test-page.js\"></script>");
        // Every script element has a src and nothing inside; no style element or attribute; no on*= handler.
        assertThat(html).doesNotContainPattern("(?i)<script(?![^>]*\\ssrc=)[^>]*>");
        assertThat(html).doesNotContainPattern("(?i)<script[^>]*>\\s*[^<\\s]");
        assertThat(html).doesNotContainPattern("(?i)<style[\\s>]");
        assertThat(html).doesNotContainPattern("(?i)\\sstyle\\s*=");
        assertThat(html).doesNotContainPattern("(?i)\\son[a-z]+\\s*=");
        assertThat(html).doesNotContainPattern("(?i)javascript:");
        // Forms never submit (form-action 'none'): no action or method; the script prevents the default.
        assertThat(html).doesNotContainPattern("(?i)<form[^>]*\\s(action|method)\\s*=");
    }

    @Test
    void theScriptsWriteTextNeverHtml() {
        for (String path : List.of("/test/test-page.js", "/test/test-page-view.js", "/test/test-page-session.js")) {
            String script = body(path);
            for (String html : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")) {
                assertThat(script.contains(html)).as(path + " uses " + html).isFalse();
            }
        }
    }

    @Test
    void everyStableIdIsOnThePageOnceAndListedInTheScript() {
        String html = body("/test");
        String script = body("/test/test-page.js");
        for (String id : IDS) {
            assertThat(matches(Pattern.compile("\\sid=\"" + Pattern.quote(id) + "\""), html))
                    .as("#" + id)
                    .hasSize(1);
            assertThat(script).as("#" + id + " in the comment of test-page.js").contains("#" + id);
        }
    }

    private static void assertServed(String path, String type) {
        TestGatehouse.Reply r = server.get(path);
        assertThat(r.status()).as(path).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("content-type")).as(path).hasValue(type);
        assertThat(r.raw().headers().firstValue("content-security-policy"))
                .as(path)
                .hasValue(WebAssets.CONTENT_SECURITY_POLICY);
        assertThat(r.raw().body()).as(path).isNotBlank();
    }

    private static String body(String path) {
        TestGatehouse.Reply r = server.get(path);
        assertThat(r.status()).as(path).isEqualTo(200);
        return r.raw().body();
    }

    private static List<String> matches(Pattern p, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            found.add(m.groupCount() > 0 ? m.group(1) : m.group());
        }
        return found;
    }
}
