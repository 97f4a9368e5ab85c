package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.cli.GatehouseCommand;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every way of revoking closes the live connections it concerns within a second (SPEC §2). */
class RevocationTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    static WsRecorder open(String token) {
        WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token);
        ws.awaitType("connection_established");
        return ws;
    }

    static void assertClosedWithinOneSecond(WsRecorder ws, long startNanos, String reason) {
        assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, reason));
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(1));
    }

    static void cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = server.dataDir().resolve("data").toString();
        int status = GatehouseCommand.run(
                all, new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
        assertThat(status).isZero();
    }

    @Test
    void deletingATokenOverTheApiClosesItsLiveSocket() {
        String owner = Jwts.hs256For("alice");
        String token = server.post("/api/v1/tokens", "{}", "Authorization", "Bearer " + owner)
                .body()
                .path("token")
                .asText();
        try (WsRecorder ws = open(token);
                WsRecorder other = open(owner)) {
            long start = System.nanoTime();
            server.delete("/api/v1/tokens/" + token.substring(0, 12), "Authorization", "Bearer " + owner);
            assertClosedWithinOneSecond(ws, start, "TOKEN_REVOKED");
            other.send("{\"type\":\"ping\"}");
            assertThat(other.awaitType("pong")).isNotNull(); // the owner's other credential is untouched
        }
    }

    @Test
    void aCredentialTakenOnByInBandRefreshIsTheOneRevocationReaches() {
        String first = server.opaqueToken("erin");
        String second = server.opaqueToken("erin");
        try (WsRecorder ws = open(first)) {
            ws.send("{\"type\":\"refresh\",\"token\":\"" + second + "\"}");
            ws.awaitType("refreshed");
            long start = System.nanoTime();
            cli("token", "revoke", second.substring(0, 12));
            assertClosedWithinOneSecond(ws, start, "TOKEN_REVOKED");
        }
        try (WsRecorder again = open(first)) { // the first token is still good, and not stuck as a duplicate
            again.send("{\"type\":\"ping\"}");
            assertThat(again.awaitType("pong")).isNotNull();
        }
    }

    @Test
    void tokenRevokeFromTheCliClosesTheLiveSocket() {
        String token = server.opaqueToken("bob");
        try (WsRecorder ws = open(token)) {
            long start = System.nanoTime();
            cli("token", "revoke", token.substring(0, 12));
            assertClosedWithinOneSecond(ws, start, "TOKEN_REVOKED");
        }
    }

    @Test
    void userRemoveFromTheCliClosesEveryConnectionOfTheUser() {
        server.user("carol", "carol-password", false);
        try (WsRecorder a = open(server.localOpaqueToken("carol"));
                WsRecorder b = open(server.localOpaqueToken("carol"));
                WsRecorder other = open(Jwts.hs256For("dave"));
                WsRecorder namesake = open(Jwts.hs256For("carol"))) {
            long start = System.nanoTime();
            cli("user", "remove", "carol");
            assertClosedWithinOneSecond(a, start, "TOKEN_REVOKED");
            assertClosedWithinOneSecond(b, start, "TOKEN_REVOKED");
            other.send("{\"type\":\"ping\"}");
            assertThat(other.awaitType("pong")).isNotNull();
            namesake.send("{\"type\":\"ping\"}"); // the application's user carol is someone else
            assertThat(namesake.awaitType("pong")).isNotNull();
        }
    }
}
