package io.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.cli.GatehouseCommand;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of a run that uses tokens, passwords and API keys in every carrier,
 * accepted and refused, and asserts that none of those secrets appears in any line.
 */
class LogSecrecyTest {

    @Test
    void noLogLineContainsATokenPasswordOrApiKey() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        java.util.Map<Logger, Level> previous = new java.util.HashMap<>();
        for (Logger l : context.getLoggerList()) {
            previous.put(l, l.getLevel());
        }
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(context);
        captured.start();
        root.addAppender(captured);
        // Everything, third-party libraries included (logback.xml pins several to WARN), at DEBUG:
        // a secret must not appear at any level.
        for (Logger l : context.getLoggerList()) {
            if (l.getLevel() != null) {
                l.setLevel(Level.DEBUG);
            }
        }
        List<String> secrets = new ArrayList<>();
        try (TestGatehouse server = new TestGatehouse().start()) {
            secrets.add(TestGatehouse.SECRET);
            String bootstrap = server.console().get(0);
            secrets.add(bootstrap.replaceAll(".*with password (\\S+).*", "$1"));

            String jwt = Jwts.hs256For("alice");
            String opaque = server.opaqueToken("bob");
            String apiKey = server.apiKey("admin");
            String badJwt = Jwts.hs256(Jwts.claims("x"), "a-wrong-secret-that-is-32-bytes-long!!".getBytes());
            String forgedOpaque = "ght_" + "Z".repeat(43);
            String forgedKey = "ghk_" + "Y".repeat(43);
            secrets.addAll(List.of(jwt, opaque, apiKey, badJwt, forgedOpaque, forgedKey));

            for (String token : List.of(jwt, opaque, badJwt, forgedOpaque)) {
                connectAndClose(WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token));
                connectAndClose(WsRecorder.connectOffering(
                        server.ws(), new String[] {"gatehouse.v1", "gatehouse.bearer." + token}));
                connectAndClose(WsRecorder.connectOffering(server.ws(), new String[] {"gatehouse.bearer." + token}));
                connectAndClose(WsRecorder.connect(server.ws("token=" + token)));
                WsRecorder ws = WsRecorder.connect(server.ws());
                ws.send("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
                connectAndClose(ws);
                server.get("/api/v1/auth/verify?token=" + token);
                server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
            }
            server.user("dana", "dana-password-123", false);
            secrets.add("dana-password-123");
            io.gatehouse.testing.BrowserSession browser =
                    io.gatehouse.testing.BrowserSession.login(server, "dana", "dana-password-123");
            secrets.addAll(List.of(browser.session(), browser.csrf()));
            String origin = io.gatehouse.testing.BrowserSession.ownOrigin(server);
            connectAndClose(WsRecorder.connect(browser.ws(server), "Cookie", browser.cookieHeader(), "Origin", origin));
            connectAndClose(WsRecorder.connect(server.ws(), "Cookie", browser.cookieHeader(), "Origin", origin));
            server.get("/api/v1/auth/verify", "Cookie", browser.cookieHeader(), "X-CSRF-Token", browser.csrf() + "x");
            String refreshedCsrf = server.post(
                            "/api/v1/auth/refresh",
                            "",
                            "Cookie",
                            browser.cookieHeader(),
                            "X-CSRF-Token",
                            browser.csrf())
                    .body()
                    .path("csrf_token")
                    .asText();
            secrets.add(refreshedCsrf);
            server.post("/api/v1/auth/login", "{\"username\":\"dana\",\"password\":\"wrong-password-456\"}");
            secrets.add("wrong-password-456");
            server.post("/api/v1/auth/logout", "", "Cookie", browser.cookieHeader(), "X-CSRF-Token", refreshedCsrf);
            String minted = server.post("/api/v1/tokens", "{}", "Authorization", "Bearer " + jwt)
                    .body()
                    .path("token")
                    .asText();
            secrets.add(minted);
            server.get("/api/v1/tokens/" + minted, "Authorization", "Bearer " + jwt);
            server.delete("/api/v1/tokens/" + minted, "Authorization", "Bearer " + jwt);
            for (String key : List.of(apiKey, forgedKey)) {
                server.get("/api/v1/stats", "Authorization", "apikey " + key);
                server.post("/api/v1/publish", "{\"channel\":\"news\",\"data\":1}", "Authorization", "apikey " + key);
            }

            String password = "correct-horse-battery-staple";
            secrets.add(password);
            String dataDir = server.dataDir().resolve("data").toString();
            runCli(password + "\n", "user", "add", "carol", "--password-stdin", "--data-dir", dataDir);
            String cliToken = runCli("", "token", "create", "--user", "carol", "--data-dir", dataDir)
                    .trim();
            String cliJwt = runCli("", "token", "create", "--user", "carol", "--type", "jwt", "--data-dir", dataDir)
                    .trim();
            String cliKey = runCli("", "apikey", "create", "--name", "k", "--data-dir", dataDir)
                    .trim();
            assertThat(cliToken).startsWith("ght_");
            secrets.addAll(List.of(cliToken, cliJwt, cliKey));
            connectAndClose(WsRecorder.connect(server.ws(), "Authorization", "Bearer " + cliToken));
        } finally {
            root.detachAppender(captured);
            previous.forEach(Logger::setLevel);
        }

        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : captured.list) {
            lines.add(e.getLoggerName() + " " + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
        assertThat(lines).as("the run logged its access attempts").anyMatch(l -> l.contains("outcome=ACCEPTED"));
        assertThat(lines).anyMatch(l -> l.contains("outcome=TOKEN_INVALID") && l.contains("fingerprint="));
        for (String secret : secrets) {
            assertThat(secret).isNotBlank();
            for (String line : lines) {
                assertThat(line).as("a log line").doesNotContain(secret);
            }
        }
    }

    private static void connectAndClose(WsRecorder ws) {
        try (ws) {
            ws.awaitMessage();
        } catch (AssertionError closedInstead) {
            // refused connections close instead of greeting; both are fine here
        }
    }

    private static String runCli(String stdin, String... args) {
        InputStream original = System.in;
        StringWriter out = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int status =
                    GatehouseCommand.run(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
            assertThat(status).isZero();
        } finally {
            System.setIn(original);
        }
        return out.toString();
    }
}
