package io.gatehouse.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: the dashboard at {@code /} is served with every module it imports (its own under
 * {@code /dashboard/}, the browser client's under {@code /client/}), keeps to its
 * Content-Security-Policy (no inline script, style or handler; nothing from another host), writes
 * text and never HTML, and has the stable ids that browser tests drive it by.
 */
class DashboardPageTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    /** The hooks browser tests use; dashboard.js lists them in its header comment. */
    static final List<String> IDS = List.of(
            "page-status",
            "view-login",
            "view-denied",
            "view-dashboard",
            "login-form",
            "login-user",
            "login-password",
            "login",
            "login-result",
            "denied-title",
            "denied-user",
            "denied-logout",
            "denied-result",
            "who",
            "logout",
            "live-state",
            "node",
            "version",
            "uptime",
            "action-result",
            "fig-connections",
            "fig-upgrades-accepted",
            "fig-upgrades-refused",
            "fig-messages-in",
            "fig-messages-out",
            "fig-deliveries",
            "fig-slow-consumers",
            "fig-slow-consumers-window",
            "fig-access-log-queue",
            "fig-webhook-queue",
            "fig-heap",
            "fig-heap-of",
            "fig-cpu",
            "chart-connections",
            "chart-upgrades",
            "chart-deliveries",
            "legend-upgrades",
            "connections",
            "connections-count",
            "connections-empty",
            "connections-result",
            "refusal-filters",
            "filter-code",
            "filter-user",
            "filter-ip",
            "filter-since",
            "filter-apply",
            "refusals",
            "refusals-empty",
            "refusals-result",
            "channels",
            "channels-count",
            "channels-empty",
            "channels-result",
            "tasks",
            "tasks-empty",
            "tasks-result",
            "webhook-queue",
            "dead-count",
            "dead",
            "dead-empty",
            "dead-result",
            "broadcast-form",
            "broadcast-channels",
            "broadcast-data",
            "broadcast-json",
            "broadcast",
            "broadcast-result");

    private static final Pattern IMPORT = Pattern.compile("^import [^;]* from '([^']+)';", Pattern.MULTILINE);

    @Test
    void everyModuleThePageImportsIsServedAsJavaScriptUnderThePagesCsp() {
        String html = body("/");
        List<String> loaded = matches(Pattern.compile("(?:src|href)=\"(/[^\"]*)\""), html);
        assertThat(loaded).contains("/dashboard/dashboard.js", "/dashboard/dashboard.css");
        for (String module : modules()) {
            TestGatehouse.Reply r = server.get(module);
            assertThat(r.status()).as(module).isEqualTo(200);
            assertThat(r.raw().headers().firstValue("content-type"))
                    .as(module)
                    .hasValue("text/javascript; charset=utf-8");
            assertThat(r.raw().headers().firstValue("content-security-policy"))
                    .as(module)
                    .hasValue(WebAssets.CONTENT_SECURITY_POLICY);
        }
        assertThat(modules())
                .contains(
                        "/dashboard/charts.js",
                        "/dashboard/chart-view.js",
                        "/dashboard/live.js",
                        "/client/gatehouse.js",
                        "/client/stats.js",
                        "/client/refusal-codes.js");
        TestGatehouse.Reply css = server.get("/dashboard/dashboard.css");
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.raw().headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
    }

    @Test
    void nothingIsLoadedFromAnotherHost() {
        assertThat(body("/")).doesNotContainPattern("(?i)(src|href)=\"(https?:)?//");
        assertThat(body("/dashboard/dashboard.css")).doesNotContainPattern("(?i)url\\(|@import");
        for (String module : modules()) {
            assertThat(body(module)).as(module).doesNotContainPattern("from '(https?:)?//");
        }
    }

    @Test
    void theHtmlHasNoInlineScriptStyleOrHandler() {
        String html = body("/");
        assertThat(html).containsPattern("<script type=\"module\" src=\"/dashboard/dashboard.js\"></script>");
        assertThat(html).doesNotContainPattern("(?i)<script(?![^>]*\\ssrc=)[^>]*>");
        assertThat(html).doesNotContainPattern("(?i)<script[^>]*>\\s*[^<\\s]");
        assertThat(html).doesNotContainPattern("(?i)<style[\\s>]");
        assertThat(html).doesNotContainPattern("(?i)\\sstyle\\s*=");
        assertThat(html).doesNotContainPattern("(?i)\\son[a-z]+\\s*=");
        assertThat(html).doesNotContainPattern("(?i)javascript:");
        assertThat(html).doesNotContainPattern("(?i)<form[^>]*\\s(action|method)\\s*=");
    }

    @Test
    void theScriptsWriteTextNeverHtmlAndSetNoInlineStyle() {
        for (String module : modules()) {
            if (!module.startsWith("/dashboard/")) {
                continue;
            }
            String script = body(module);
            for (String html :
                    List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "'style'")) {
                assertThat(script.contains(html)).as(module + " uses " + html).isFalse();
            }
        }
    }

    @Test
    void everyStableIdIsOnThePageOnceAndListedInTheScript() {
        String html = body("/");
        String script = body("/dashboard/dashboard.js");
        for (String id : IDS) {
            assertThat(matches(Pattern.compile("\\sid=\"" + Pattern.quote(id) + "\""), html))
                    .as("#" + id)
                    .hasSize(1);
            assertThat(script).as("#" + id + " in the comment of dashboard.js").contains("#" + id);
        }
    }

    /** Every module reachable from dashboard.js by its static imports, as server paths. */
    private static Set<String> modules() {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> next = new ArrayDeque<>(List.of("/dashboard/dashboard.js"));
        while (!next.isEmpty()) {
            String path = next.pop();
            if (!seen.add(path)) {
                continue;
            }
            String folder = path.substring(0, path.lastIndexOf('/') + 1);
            for (String i : matches(IMPORT, body(path))) {
                next.add(i.startsWith("./") ? folder + i.substring(2) : i);
            }
        }
        return seen;
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
