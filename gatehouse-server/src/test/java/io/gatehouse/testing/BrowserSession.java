package io.gatehouse.testing;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A logged-in browser as the server sees it: the gh_session cookie and the CSRF token. */
public record BrowserSession(String session, String csrf) {

    /** Logs in with {@code POST /api/v1/auth/login}; fails the test if that does not answer 200. */
    public static BrowserSession login(TestGatehouse server, String user, String password) {
        TestGatehouse.Reply r =
                server.post("/api/v1/auth/login", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
        if (r.status() != 200) {
            throw new AssertionError("login failed: " + r.status() + " " + r.body());
        }
        String session = cookie(r.raw().headers().allValues("set-cookie"), "gh_session");
        return new BrowserSession(session, r.body().path("csrf_token").asText());
    }

    static String cookie(List<String> setCookies, String name) {
        for (String c : setCookies) {
            if (c.startsWith(name + "=")) {
                return c.substring(name.length() + 1, c.indexOf(';'));
            }
        }
        throw new AssertionError("no " + name + " cookie in " + setCookies);
    }

    public String cookieHeader() {
        return "gh_session=" + session;
    }

    /** The WebSocket URL with this session's CSRF token in the query. */
    public URI ws(TestGatehouse server) {
        return server.ws("csrf_token=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
    }

    /**
     * A WebSocket of this session as a page of the server's own origin opens it (the cookie, the
     * CSRF token in the query), once {@code connection_established} has come.
     */
    public WsRecorder connect(TestGatehouse server) {
        WsRecorder ws = WsRecorder.connect(ws(server), "Cookie", cookieHeader(), "Origin", ownOrigin(server));
        ws.awaitEstablished();
        return ws;
    }

    /** The Origin a page served by the server itself sends. */
    public static String ownOrigin(TestGatehouse server) {
        return "http://127.0.0.1:" + server.gatehouse().port();
    }

    public BrowserSession withCsrf(String newCsrf) {
        return new BrowserSession(session, newCsrf);
    }
}
