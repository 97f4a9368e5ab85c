package io.gatehouse.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /api/v1/users/{id}/tokens/{prefix}} (docs/protocol.md, "Admin API"): an admin
 * revokes any user's opaque token, and the ones minted with it; their connections close and each
 * raises token.revoked, as when the user deletes their own.
 */
class AdminTokenRevokeTest {
    @Test
    void anAdminSessionRevokesAUsersTokenAndTheMintedOneClosingTheirConnectionsWithTokenRevoked() {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhooksTest.SECRET);
                TestGatehouse g = WebhooksTest.server(receiver).start()) {
            BrowserSession admin = adminOf(g);
            String token = g.opaqueToken("alice");
            String prefix = token.substring(0, 12);
            TestGatehouse.Reply mint = g.post("/api/v1/tokens", "{}", "Authorization", "Bearer " + token);
            assertThat(mint.status()).isEqualTo(201);
            String minted = mint.body().path("token").asText();
            String mintedPrefix = mint.body().path("prefix").asText();
            try (WsRecorder ws = g.connectWith(token);
                    WsRecorder wsMinted = g.connectWith(minted);
                    WsRecorder other = g.connectWith(g.opaqueToken("alice"))) {
                TestGatehouse.Reply r = delete(g, "/api/v1/users/alice/tokens/" + prefix, admin);

                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body())
                        .isEqualTo(TestGatehouse.JSON.createObjectNode().put("revoked", prefix));
                assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
                assertThat(wsMinted.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
                other.assertAlive(); // alice's other token is not touched
                await().atMost(WebhooksTest.WAIT)
                        .until(() -> receiver.ofType("token.revoked").size() == 2);
                assertThat(receiver.ofType("token.revoked"))
                        .extracting(e -> e.path("data").path("credential_id").asText())
                        .containsExactlyInAnyOrder(prefix, mintedPrefix);
                assertThat(receiver.ofType("token.revoked"))
                        .allSatisfy(
                                e -> assertThat(e.path("data").path("user_id").asText())
                                        .isEqualTo("alice"));
                assertThat(receiver.rejected).hasValue(0);

                // The token is refused from now on, and a second revoke finds nothing.
                TestGatehouse.Reply again = delete(g, "/api/v1/users/alice/tokens/" + prefix, admin);
                assertThat(again.status()).isEqualTo(404);
                assertThat(again.body().path("code").asText()).isEqualTo("NOT_FOUND");
                TestGatehouse.Reply verify = g.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
                assertThat(verify.status()).isEqualTo(401);
                assertThat(verify.body().path("code").asText()).isEqualTo("TOKEN_REVOKED");

                String adminKey = "apikey " + g.apiKey("admin");
                await().atMost(WebhooksTest.WAIT)
                        .untilAsserted(() -> assertThat(accessLog(g, adminKey)).anySatisfy(row -> {
                            assertThat(row.path("action").asText()).isEqualTo("token.revoke");
                            assertThat(row.path("target").asText()).isEqualTo("alice " + prefix);
                            assertThat(row.path("user_id").asText()).isEqualTo("local:root");
                        }));
            }
        }
    }

    @Test
    void anotherUsersTokenIsNotFoundAndBadInputIsABadRequest() {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhooksTest.SECRET);
                TestGatehouse g = WebhooksTest.server(receiver).start()) {
            BrowserSession admin = adminOf(g);
            String token = g.opaqueToken("alice");
            String prefix = token.substring(0, 12);
            try (WsRecorder ws = g.connectWith(token)) {
                TestGatehouse.Reply notHers = delete(g, "/api/v1/users/bob/tokens/" + prefix, admin);
                assertThat(notHers.status()).isEqualTo(404);
                assertThat(notHers.body().path("code").asText()).isEqualTo("NOT_FOUND");
                assertThat(delete(g, "/api/v1/users/alice/tokens/ght_AAAAAAAA", admin)
                                .status())
                        .isEqualTo(404);

                for (String path : List.of(
                        "/api/v1/users/alice/tokens/" + token, // the whole token is no prefix
                        "/api/v1/users/alice/tokens/ght_short",
                        "/api/v1/users/alice/tokens/ghk_AAAAAAAA",
                        "/api/v1/users/alice/tokens/ght_AAAA%20AAA",
                        "/api/v1/users/" + "a".repeat(256) + "/tokens/" + prefix,
                        "/api/v1/users/al%0Aice/tokens/" + prefix)) {
                    TestGatehouse.Reply bad = delete(g, path, admin);
                    assertThat(bad.status()).as(path).isEqualTo(400);
                    assertThat(bad.body().path("code").asText()).isEqualTo("BAD_REQUEST");
                    assertThat(bad.body().path("hint").asText()).isNotBlank();
                }

                g.user("pat", "pat-password-123", false);
                BrowserSession pat = BrowserSession.login(g, "pat", "pat-password-123");
                TestGatehouse.Reply notAdmin = delete(g, "/api/v1/users/alice/tokens/" + prefix, pat);
                assertThat(notAdmin.status()).isEqualTo(403);
                assertThat(notAdmin.body().path("code").asText()).isEqualTo("PERMISSION_DENIED");
                TestGatehouse.Reply noCsrf =
                        g.delete("/api/v1/users/alice/tokens/" + prefix, "Cookie", admin.cookieHeader());
                assertThat(noCsrf.status()).isEqualTo(403);
                assertThat(noCsrf.body().path("code").asText()).isEqualTo("CSRF_TOKEN_MISSING");
                ws.assertAlive();

                TestGatehouse.Reply byKey = g.delete(
                        "/api/v1/users/alice/tokens/" + prefix, "Authorization", "apikey " + g.apiKey("admin"));
                assertThat(byKey.status()).isEqualTo(200);
                assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
            }
        }
    }

    private static BrowserSession adminOf(TestGatehouse g) {
        g.user("root", "root-password-123", true);
        return BrowserSession.login(g, "root", "root-password-123");
    }

    private static TestGatehouse.Reply delete(TestGatehouse g, String path, BrowserSession s) {
        return g.delete(path, "Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf());
    }

    private static List<JsonNode> accessLog(TestGatehouse g, String adminKey) {
        JsonNode entries = g.get("/api/v1/access-log?user=local:root&limit=1000", "Authorization", adminKey)
                .body()
                .path("entries");
        return StreamSupport.stream(entries.spliterator(), false).toList();
    }
}
