package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** limits.duplicate_session_policy: a second connection of the same credential and client instance (SPEC §7). */
class DuplicateSessionTest {
    /** A socket of {@code token} that names its client {@code instance}, once established. */
    static WsRecorder connect(TestGatehouse server, String token, String instance) {
        WsRecorder ws = WsRecorder.connect(server.ws("instance=" + instance), "Authorization", "Bearer " + token);
        ws.awaitEstablished();
        return ws;
    }

    @Test
    void replaceIsTheDefaultAndClosesTheOlderConnectionOfTheSameInstanceWith4409() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder older = connect(server, token, "tab-1")) {
                try (WsRecorder newer = connect(server, token, "tab-1")) {
                    assertThat(older.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                    newer.assertAlive();
                }
            }
        }
    }

    @Test
    void tabsSharingOneTokenAreDifferentInstancesAndStayConnected() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder tab1 = connect(server, token, "tab-1");
                    WsRecorder tab2 = connect(server, token, "tab-2")) {
                // The positive path first: a new socket of tab 1 does replace tab 1's old one ...
                try (WsRecorder tab1Again = connect(server, token, "tab-1")) {
                    assertThat(tab1.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                    // ... and leaves tab 2 alone.
                    tab2.assertAlive();
                    tab1Again.assertAlive();
                }
            }
        }
    }

    @Test
    void aConnectionWithoutAnInstanceIdIsNeverADuplicate() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder a = server.connectWith(token);
                    WsRecorder b = server.connectWith(token);
                    WsRecorder c = connect(server, token, "tab-1")) {
                a.assertAlive();
                b.assertAlive();
                c.assertAlive();
            }
        }
    }

    @Test
    void theInstanceIdMayComeInTheAuthMessage() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder older = WsRecorder.connect(server.ws())) {
                older.sendJson("{\"type\":\"auth\",\"token\":\"" + token + "\",\"instance\":\"page-7\"}");
                older.awaitEstablished();
                try (WsRecorder newer = connect(server, token, "page-7")) {
                    assertThat(older.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                    newer.assertAlive();
                }
            }
        }
    }

    @Test
    void aMalformedInstanceIdIsRefusedWith4400() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            String token = server.opaqueToken("alice");
            for (String bad : new String[] {"has%20space", "x".repeat(65), "%C3%A9", "a%2Fb"}) {
                try (WsRecorder ws =
                        WsRecorder.connect(server.ws("instance=" + bad), "Authorization", "Bearer " + token)) {
                    assertThat(ws.awaitClose()).as(bad).isEqualTo(new WsRecorder.Close(4400, "BAD_REQUEST"));
                }
            }
            try (WsRecorder ws = connect(server, token, "x".repeat(64))) {
                ws.assertAlive(); // the longest allowed
            }
        }
    }

    @Test
    void aSecondSocketOfTheSameCookieSessionAndInstanceReplacesTheFirst() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            server.user("alice", "alice-password", false);
            io.gatehouse.testing.BrowserSession s =
                    io.gatehouse.testing.BrowserSession.login(server, "alice", "alice-password");
            java.net.URI tab = java.net.URI.create(s.ws(server) + "&instance=tab-1");
            String origin = io.gatehouse.testing.BrowserSession.ownOrigin(server);
            try (WsRecorder older = WsRecorder.connect(tab, "Cookie", s.cookieHeader(), "Origin", origin)) {
                older.awaitEstablished();
                try (WsRecorder newer = WsRecorder.connect(tab, "Cookie", s.cookieHeader(), "Origin", origin)) {
                    newer.awaitEstablished();
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
    void rejectRefusesTheNewerConnectionOfTheSameInstanceWith4409() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.duplicate_session_policy", "reject")
                .start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder older = connect(server, token, "tab-1");
                    WsRecorder otherTab = connect(server, token, "tab-2")) {
                try (WsRecorder newer =
                        WsRecorder.connect(server.ws("instance=tab-1"), "Authorization", "Bearer " + token)) {
                    assertThat(newer.awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
                }
                older.assertAlive();
                otherTab.assertAlive();
            }
        }
    }

    @Test
    void allowKeepsBoth() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.duplicate_session_policy", "allow")
                .start()) {
            String token = server.opaqueToken("alice");
            try (WsRecorder a = connect(server, token, "tab-1");
                    WsRecorder b = connect(server, token, "tab-1")) {
                a.assertQuiet(Duration.ofMillis(300));
                // both still open and reading: the quiet is not that of a dead connection
                a.assertAlive();
                b.assertAlive();
            }
        }
    }
}
