package io.gatehouse.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.time.Duration;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A page at {@code ORIGIN/harness} that has imported the browser client from a gateway and records
 * what it does: {@code window.Gatehouse}; {@code window.sockets}, every WebSocket the page opened
 * (the constructor is wrapped before the client loads), and {@code window.closes}, their close
 * events with code and reason; {@code window.events}, what the tests'
 * callbacks pushed through {@code window.record(kind)}. The page comes from the gateway's origin
 * (written into a document the gateway served) or from {@link HarnessServer}, an app's origin; the
 * client always comes from the real gateway.
 */
public final class ClientPage {
    public static final Duration WAIT = Duration.ofSeconds(30);

    private static final String HARNESS = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>harness</title></head><body>
            <p id="ready">loading</p>
            <script type="module">
            const Native = window.WebSocket;
            window.sockets = [];
            window.closes = [];
            window.WebSocket = class extends Native {
              constructor(url, protocols) {
                super(url, protocols);
                const entry = { at: Date.now(), socket: this };
                window.sockets.push(entry);
                this.addEventListener('open', () => { entry.openedAt = Date.now(); });
                this.addEventListener('close', (e) => {
                  window.closes.push({ at: Date.now(), code: e.code, reason: e.reason, opened: !!entry.openedAt });
                });
              }
            };
            window.openSockets = () => window.sockets.filter((s) => s.socket.readyState <= 1).length;
            window.events = [];
            window.record = (kind) => (e) => {
              window.events.push({ kind, at: Date.now(), ...JSON.parse(JSON.stringify(e ?? {})) });
            };
            const { Gatehouse } = await import('%s/client/gatehouse.js');
            window.Gatehouse = Gatehouse;
            document.getElementById('ready').textContent = 'ready';
            </script></body></html>
            """;

    private final Page page;
    private final String gatewayHttp;

    private ClientPage(Page page, String gatewayHttp) {
        this.page = page;
        this.gatewayHttp = gatewayHttp;
    }

    /**
     * A new tab of {@code context} at {@code origin} with the client imported from {@code
     * gatewayHttp}: the gateway's own origin, or an origin on {@link #appPort()} (another host name
     * of 127.0.0.1, as {@link Chromium} resolves them).
     */
    public static ClientPage open(BrowserContext context, String origin, String gatewayHttp) {
        String html = HARNESS.formatted(gatewayHttp);
        Page page = context.newPage();
        // What the page said, in the test's output (target/surefire-reports/*-output.txt).
        page.onConsoleMessage(m -> System.out.println("[page " + origin + "] " + m.type() + ": " + m.text()));
        page.onPageError(e -> System.out.println("[page " + origin + "] error: " + e));
        if (origin.equals(gatewayHttp)) {
            // The gateway's own origin: a document it served (a 404 answer), then the harness in it.
            page.navigate(origin + "/harness");
            page.setContent(html);
        } else {
            HarnessServer.serve(html);
            page.navigate(origin + "/harness");
        }
        page.waitForFunction("() => window.Gatehouse !== undefined");
        return new ClientPage(page, gatewayHttp);
    }

    /**
     * {@code window[name] = Gatehouse.connect(...)} in token mode with {@code token}; its callbacks
     * record {@code name:authError} and {@code name:state} events.
     */
    public void connectWithToken(String name, String token) {
        page.evaluate(
                "([name, url, token]) => { window[name] = window.Gatehouse.connect({url,"
                        + " getToken: async () => window[name + 'Token'] ?? token,"
                        + " onAuthError: window.record(name + ':authError'),"
                        + " onStateChange: window.record(name + ':state')}); }",
                java.util.List.of(name, wsUrl(), token));
    }

    /**
     * {@code window[name] = Gatehouse.connect(...)} in cookie-session mode, the CSRF token read
     * from the {@code gh_csrf} cookie; events as {@link #connectWithToken}.
     */
    public void connectWithSession(String name) {
        page.evaluate(
                "([name, url]) => { window[name] = window.Gatehouse.connect({url, csrf: true,"
                        + " onAuthError: window.record(name + ':authError'),"
                        + " onStateChange: window.record(name + ':state')}); }",
                java.util.List.of(name, wsUrl()));
    }

    /**
     * {@code window[name].subscribe(channel, ...)}: messages go to {@code window.got[name|channel]}
     * as {@code {data, offset}}, onSubscribed to events {@code name:subscribed:channel}.
     */
    public void subscribe(String name, String channel) {
        page.evaluate(
                "([name, channel]) => { window.got = window.got || {}; const key = name + '|' + channel;"
                        + " window.got[key] = window.got[key] || [];"
                        + " window[name].subscribe(channel, (data, meta) => window.got[key].push({data, offset:"
                        + " meta.offset}), {onSubscribed: window.record(name + ':subscribed:' + channel)}); }",
                java.util.List.of(name, channel));
    }

    /** {@code POST /api/v1/auth/login} from the page to its own origin; the answer's status. */
    public int logIn(String user, String password) {
        Object status = page.evaluate(
                "async ([username, password]) => (await fetch('/api/v1/auth/login', {method: 'POST',"
                        + " headers: {'Content-Type': 'application/json'},"
                        + " body: JSON.stringify({username, password})})).status",
                java.util.List.of(user, password));
        return ((Number) status).intValue();
    }

    /** How many messages {@code name} got on {@code channel}. */
    public int received(String name, String channel) {
        return number("() => (window.got?.['" + name + "|" + channel + "'] ?? []).length");
    }

    /** The events of {@code kind}, oldest first, as JSON text. */
    public String events(String kind) {
        return text("() => JSON.stringify(window.events.filter((e) => e.kind === '" + kind + "'))");
    }

    /** How many events of {@code kind} were recorded. */
    public int count(String kind) {
        return number("() => window.events.filter((e) => e.kind === '" + kind + "').length");
    }

    /** Waits until {@code name} is in state {@code state}. */
    public void awaitState(String name, String state) {
        until("window['" + name + "']?.state === '" + state + "'");
    }

    /** The port an app's origin uses ({@code http://app.gatehouse.test:PORT}). */
    public static int appPort() {
        return HarnessServer.port();
    }

    public Page page() {
        return page;
    }

    /** The gateway's WebSocket URL. */
    public String wsUrl() {
        return gatewayHttp.replaceFirst("^http", "ws") + "/ws";
    }

    /** Runs {@code js} (a function expression, or an expression) in the page; its result. */
    public Object eval(String js) {
        return page.evaluate(js);
    }

    public Object eval(String js, Object arg) {
        return page.evaluate(js, arg);
    }

    public int number(String js) {
        return ((Number) page.evaluate(js)).intValue();
    }

    public String text(String js) {
        Object v = page.evaluate(js);
        return v == null ? null : v.toString();
    }

    /** Waits until {@code js} is truthy in the page. */
    public void until(String js) {
        until(js, WAIT);
    }

    public void until(String js, Duration atMost) {
        Awaitility.await(js)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Boolean.TRUE.equals(page.evaluate("() => !!(" + js + ")")));
    }

    /** Waits until {@code value} of {@code js} matches. */
    public <T> T until(String js, Predicate<Object> test) {
        Object[] last = new Object[1];
        Awaitility.await(js).atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = page.evaluate(js);
            return test.test(last[0]);
        });
        @SuppressWarnings("unchecked")
        T value = (T) last[0];
        return value;
    }
}
