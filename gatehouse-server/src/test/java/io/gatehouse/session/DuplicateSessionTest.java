package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** limits.duplicate_session_policy: a second connection with the same credential (SPEC §7). */
class DuplicateSessionTest {
    @Test
    void replaceIsTheDefaultAndClosesTheOlderConnectionWith4409() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder older = server.connectWith(token)) {
                try (WsRecorder newer = server.connectWith(token)) {
                    assertThat(older.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                    newer.assertAlive();
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
            try (WsRecorder older = s.connect(server)) {
                try (WsRecorder newer = s.connect(server)) {
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
            try (WsRecorder older = server.connectWith(token)) {
                try (WsRecorder newer = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
                    assertThat(newer.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                }
                older.assertAlive();
            }
        }
    }

    @Test
    void allowKeepsBoth() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.duplicate_session_policy", "allow")
                .start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder a = server.connectWith(token);
                    WsRecorder b = server.connectWith(token)) {
                a.assertQuiet(Duration.ofMillis(300));
                // both still open and reading: the quiet is not that of a dead connection
                a.assertAlive();
                b.assertAlive();
            }
        }
    }
}
