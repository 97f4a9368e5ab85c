package io.gatehouse.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A page of web/ (the dashboard, the test page) as a running server serves it, with what every such
 * page keeps to: its files answered with their type under the Content-Security-Policy, no inline
 * script, style or handler in its HTML (the policy would block them), and the stable ids browser
 * tests drive it by.
 *
 * @param path where the page is served ({@code /}, {@code /test})
 * @param script its module, the one the HTML loads and whose header comment lists the ids
 */
record ServedPage(TestGatehouse server, String path, String script) {
    static final String HTML = "text/html; charset=utf-8";
    static final String JAVASCRIPT = "text/javascript; charset=utf-8";
    static final String CSS = "text/css; charset=utf-8";

    /** The page's HTML. */
    String html() {
        return body(path);
    }

    /** The body of {@code file}, which must be answered 200. */
    String body(String file) {
        TestGatehouse.Reply r = server.get(file);
        assertThat(r.status()).as(file).isEqualTo(200);
        return r.raw().body();
    }

    /** {@code file} is answered 200, not empty, as {@code contentType}, under the pages' Content-Security-Policy. */
    TestGatehouse.Reply assertServed(String file, String contentType) {
        TestGatehouse.Reply r = server.get(file);
        assertThat(r.status()).as(file).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("content-type")).as(file).hasValue(contentType);
        assertThat(r.raw().headers().firstValue("content-security-policy"))
                .as(file)
                .hasValue(WebAssets.CONTENT_SECURITY_POLICY);
        assertThat(r.raw().body()).as(file).isNotBlank();
        return r;
    }

    /** The page itself is served as HTML with the Content-Security-Policy and the other headers of a page. */
    TestGatehouse.Reply assertServedWithPageHeaders() {
        TestGatehouse.Reply r = assertServed(path, HTML);
        assertThat(r.raw().headers().firstValue("x-content-type-options"))
                .as(path)
                .hasValue("nosniff");
        assertThat(r.raw().headers().firstValue("cache-control")).as(path).hasValue("no-cache");
        assertThat(r.raw().headers().firstValue("referrer-policy")).as(path).hasValue("no-referrer");
        return r;
    }

    /**
     * The HTML loads {@link #script} as a module, every script element has a src and nothing inside,
     * there is no style element or attribute, no on*= handler and no javascript: URL, and forms never
     * submit (form-action 'none'): no action or method; the script prevents the default.
     */
    void assertNoInlineScriptStyleOrHandler() {
        String html = html();
        assertThat(html).containsPattern("<script type=\"module\" src=\"" + script + "\"></script>");
        assertThat(html).doesNotContainPattern("(?i)<script(?![^>]*\\ssrc=)[^>]*>");
        assertThat(html).doesNotContainPattern("(?i)<script[^>]*>\\s*[^<\\s]");
        assertThat(html).doesNotContainPattern("(?i)<style[\\s>]");
        assertThat(html).doesNotContainPattern("(?i)\\sstyle\\s*=");
        assertThat(html).doesNotContainPattern("(?i)\\son[a-z]+\\s*=");
        assertThat(html).doesNotContainPattern("(?i)javascript:");
        assertThat(html).doesNotContainPattern("(?i)<form[^>]*\\s(action|method)\\s*=");
    }

    /** Each of {@code ids} is on the page exactly once and named ({@code #id}) in {@link #script}. */
    void assertEveryStableIdOnceAndListedInTheScript(List<String> ids) {
        String html = html();
        String js = body(script);
        String name = script.substring(script.lastIndexOf('/') + 1);
        for (String id : ids) {
            assertThat(matches(Pattern.compile("\\sid=\"" + Pattern.quote(id) + "\""), html))
                    .as("#" + id)
                    .hasSize(1);
            assertThat(js).as("#" + id + " in the comment of " + name).contains("#" + id);
        }
    }

    /** Every match of {@code p} in {@code text}: its first group, or the whole match when it has none. */
    static List<String> matches(Pattern p, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            found.add(m.groupCount() > 0 ? m.group(1) : m.group());
        }
        return found;
    }
}
