package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** limits.duplicate_session_policy: a second connection with the same credential (SPEC §7). */
class DuplicateSessionTest {
    static WsRecorder open(TestGatehouse server, String token) {
        return WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token);
    }

    @Test
    void replaceIsTheDefaultAndClosesTheOlderConnectionWith4409() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder older = open(server, token)) {
                older.awaitType("connection_established");
                try (WsRecorder newer = open(server, token)) {
                    newer.awaitType("connection_established");
                    assertThat(older.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                    newer.send("{\"type\":\"ping\"}");
                    assertThat(newer.awaitType("pong")).isNotNull();
                }
            }
        }
    }

    @Test
    void aSecondSocketOfTheSameCookieSessionReplacesTheFirst() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            server.user("alice", "alice-password", false);
            io.gatehouse.testing.BrowserSession s =
                    io.gatehouse.testing.BrowserSession.login(server, "alice", "alice-password");
            String origin = io.gatehouse.testing.BrowserSession.ownOrigin(server);
            try (WsRecorder older = WsRecorder.connect(s.ws(server), "Cookie", s.cookieHeader(), "Origin", origin)) {
                older.awaitType("connection_established");
                try (WsRecorder newer =
                        WsRecorder.connect(s.ws(server), "Cookie", s.cookieHeader(), "Origin", origin)) {
                    newer.awaitType("connection_established");
                    assertThat(older.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                }
            }
        }
    }

    @Test
    void withSessionsOffLoginIsGoneAndTheCookieIsNoCredential() {
        try (TestGatehouse server =
                new TestGatehouse().with("auth.session.enabled", false).start()) {
            server.user("alice", "alice-password", false);
            TestGatehouse.Reply login =
                    server.post("/api/v1/auth/login", "{\"username\":\"alice\",\"password\":\"alice-password\"}");
            assertThat(login.status()).isEqualTo(404);
            assertThat(server.get("/api/v1/auth/verify", "Cookie", "gh_session=ghs_" + "A".repeat(43))
                            .body()
                            .path("code")
                            .asText())
                    .isEqualTo("TOKEN_MISSING");
        }
    }

    @Test
    void rejectRefusesTheNewerConnectionWith4409() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.duplicate_session_policy", "reject")
                .start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder older = open(server, token)) {
                older.awaitType("connection_established");
                try (WsRecorder newer = open(server, token)) {
                    assertThat(newer.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                }
                older.send("{\"type\":\"ping\"}");
                assertThat(older.awaitType("pong")).isNotNull();
            }
        }
    }

    @Test
    void allowKeepsBoth() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.duplicate_session_policy", "allow")
                .start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder a = open(server, token);
                    WsRecorder b = open(server, token)) {
                a.awaitType("connection_established");
                b.awaitType("connection_established");
                a.assertQuiet(Duration.ofMillis(300));
            }
        }
    }
}
