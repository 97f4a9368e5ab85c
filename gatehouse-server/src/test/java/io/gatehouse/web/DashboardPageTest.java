package io.gatehouse.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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

    static final ServedPage PAGE = new ServedPage(server, "/", "/dashboard/dashboard.js");

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
        List<String> loaded = ServedPage.matches(Pattern.compile("(?:src|href)=\"(/[^\"]*)\""), PAGE.html());
        assertThat(loaded).containsSubsequence("/pages/base.css", "/dashboard/dashboard.css");
        assertThat(loaded).contains("/dashboard/dashboard.js");
        for (String module : modules()) {
            PAGE.assertServed(module, ServedPage.JAVASCRIPT);
        }
        assertThat(modules())
                .contains(
                        "/dashboard/charts.js",
                        "/dashboard/chart-view.js",
                        "/dashboard/live.js",
                        "/pages/dom.js",
                        "/pages/csrf-cookie.js",
                        "/client/gatehouse.js",
                        "/client/stats.js",
                        "/client/refusal-codes.js");
        PAGE.assertServed("/dashboard/dashboard.css", ServedPage.CSS);
        PAGE.assertServed("/pages/base.css", ServedPage.CSS);
    }

    @Test
    void nothingIsLoadedFromAnotherHost() {
        assertThat(PAGE.html()).doesNotContainPattern("(?i)(src|href)=\"(https?:)?//");
        for (String css : List.of("/dashboard/dashboard.css", "/pages/base.css")) {
            assertThat(PAGE.body(css)).as(css).doesNotContainPattern("(?i)url\\(|@import");
        }
        for (String module : modules()) {
            assertThat(PAGE.body(module)).as(module).doesNotContainPattern("from '(https?:)?//");
        }
    }

    @Test
    void theHtmlHasNoInlineScriptStyleOrHandler() {
        PAGE.assertNoInlineScriptStyleOrHandler();
    }

    @Test
    void theScriptsWriteTextNeverHtmlAndSetNoInlineStyle() {
        for (String module : modules()) {
            if (!module.startsWith("/dashboard/") && !module.startsWith("/pages/")) {
                continue;
            }
            String script = PAGE.body(module);
            for (String html :
                    List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "'style'")) {
                assertThat(script.contains(html)).as(module + " uses " + html).isFalse();
            }
        }
    }

    @Test
    void everyStableIdIsOnThePageOnceAndListedInTheScript() {
        PAGE.assertEveryStableIdOnceAndListedInTheScript(IDS);
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
            for (String i : ServedPage.matches(IMPORT, PAGE.body(path))) {
                next.add(URI.create(folder).resolve(i).getPath());
            }
        }
        return seen;
    }
}
