package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every way of revoking closes the live connections it concerns within a second (SPEC §2). */
class RevocationTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    static void assertClosedWithinOneSecond(WsRecorder ws, long startNanos, String reason) {
        assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, reason));
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void deletingATokenOverTheApiClosesItsLiveSocket() {
        String owner = Jwts.hs256For("alice");
        String token = server.post("/api/v1/tokens", "{}", "Authorization", "Bearer " + owner)
                .body()
                .path("token")
                .asText();
        try (WsRecorder ws = server.connectWith(token);
                WsRecorder other = server.connectWith(owner)) {
            long start = System.nanoTime();
            server.delete("/api/v1/tokens/" + token.substring(0, 12), "Authorization", "Bearer " + owner);
            assertClosedWithinOneSecond(ws, start, "TOKEN_REVOKED");
            other.assertAlive("the owner's other credential");
        }
    }

    @Test
    void aCredentialTakenOnByInBandRefreshIsTheOneRevocationReaches() {
        String first = server.opaqueToken("erin");
        String second = server.opaqueToken("erin");
        try (WsRecorder ws = server.connectWith(first)) {
            ws.send("{\"type\":\"refresh\",\"token\":\"" + second + "\"}");
            ws.awaitType("refreshed");
            long start = System.nanoTime();
            server.cli("token", "revoke", second.substring(0, 12));
            assertClosedWithinOneSecond(ws, start, "TOKEN_REVOKED");
        }
        try (WsRecorder again =
                server.connectWith(first)) { // the first token is still good, and not stuck as a duplicate
            again.assertAlive();
        }
    }

    @Test
    void tokenRevokeFromTheCliClosesTheLiveSocket() {
        String token = server.opaqueToken("bob");
        try (WsRecorder ws = server.connectWith(token)) {
            long start = System.nanoTime();
            server.cli("token", "revoke", token.substring(0, 12));
            assertClosedWithinOneSecond(ws, start, "TOKEN_REVOKED");
        }
    }

    @Test
    void userRemoveFromTheCliClosesEveryConnectionOfTheUser() {
        server.user("carol", "carol-password", false);
        try (WsRecorder a = server.connectWith(server.localOpaqueToken("carol"));
                WsRecorder b = server.connectWith(server.localOpaqueToken("carol"));
                WsRecorder other = server.connectAs("dave");
                WsRecorder namesake = server.connectAs("carol")) {
            long start = System.nanoTime();
            server.cli("user", "remove", "carol");
            assertClosedWithinOneSecond(a, start, "TOKEN_REVOKED");
            assertClosedWithinOneSecond(b, start, "TOKEN_REVOKED");
            other.assertAlive();
            namesake.assertAlive("the application's user carol, someone else");
        }
    }
}
