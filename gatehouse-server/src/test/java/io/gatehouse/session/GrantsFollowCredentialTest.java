package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 point 5, grants follow the credential: a refresh to a credential that no longer grants a
 * channel ends that subscription; tokens minted from a credential are revoked with it; the JWTs
 * Gatehouse minted for a removed user stop working.
 */
class GrantsFollowCredentialTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("channels.namespaces.secret.subscribe", "none")
            .with("channels.namespaces.staff.subscribe", "admin")
            .with("limits.duplicate_session_policy", "allow");

    static void publish(String channel, String text) {
        server.publish(channel, TestGatehouse.JSON.valueToTree(text).toString()); // fails unless 200
    }

    static String mint(String... authorization) {
        TestGatehouse.Reply r = server.post("/api/v1/tokens", "{}", authorization);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(201);
        return r.body().path("token").asText();
    }

    static void assertRefusedAtHandshake(String token, String code) {
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, code));
        }
    }

    // --- (a) refresh ---

    @Test
    void aRefreshWithoutTheChannelsClaimEndsThatSubscription() {
        try (WsRecorder ws =
                        server.connectWith(Jwts.hs256For("gina", List.of(), List.of("secret:plans", "secret:kept")));
                WsRecorder control = server.connectWith(Jwts.hs256For("gail", List.of(), List.of("secret:plans")))) {
            ws.subscribe("secret:plans");
            ws.subscribe("secret:kept");
            ws.subscribe("lobby");
            publish("secret:plans", "before");
            assertThat(ws.awaitType("message").path("data").asText()).isEqualTo("before");

            ws.send("{\"type\":\"refresh\",\"id\":1,\"token\":\""
                    + Jwts.hs256For("gina", List.of(), List.of("secret:kept")) + "\"}");
            assertThat(ws.awaitType("refreshed").path("id").asInt()).isEqualTo(1);
            JsonNode ended = ws.awaitType("unsubscribed");
            assertThat(ended.path("channel").asText()).isEqualTo("secret:plans");
            assertThat(ended.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            assertThat(ended.path("message").asText()).isNotBlank();

            control.subscribe("secret:plans");
            publish("secret:plans", "after");
            // delivered to a connection still granted the channel, so its absence below is the refresh's doing
            assertThat(control.awaitType("message").path("data").asText()).isEqualTo("after");
            publish("secret:kept", "still");
            publish("lobby", "open");
            assertThat(ws.awaitType("message").path("data").asText()).isEqualTo("still");
            assertThat(ws.awaitType("message").path("data").asText()).isEqualTo("open");
            ws.assertQuiet(Duration.ofMillis(300)); // nothing of secret:plans after the refresh
        }
    }

    @Test
    void aRefreshWithoutTheAdminRoleEndsAdminOnlySubscriptions() {
        try (WsRecorder ws = server.connectWith(Jwts.hs256For("hank", List.of("admin"), List.of()));
                WsRecorder control = server.connectWith(Jwts.hs256For("hilda", List.of("admin"), List.of()))) {
            ws.subscribe("staff:room");
            ws.send("{\"type\":\"refresh\",\"token\":\"" + Jwts.hs256For("hank") + "\"}");
            ws.awaitType("refreshed");
            JsonNode ended = ws.awaitType("unsubscribed");
            assertThat(ended.path("channel").asText()).isEqualTo("staff:room");
            assertThat(ended.path("code").asText()).isEqualTo("PERMISSION_DENIED");
            control.subscribe("staff:room");
            publish("staff:room", "after");
            // delivered to an admin that stayed one, so its absence below is the refresh's doing
            assertThat(control.awaitType("message").path("data").asText()).isEqualTo("after");
            ws.assertQuiet(Duration.ofMillis(300));
            // the personal channel is the user's own: it stays
            server.publishToUser("hank", "1"); // fails unless 200
            assertThat(ws.awaitType("message").path("channel").asText()).isEqualTo("#hank");
        }
    }

    // --- (b) minted tokens are revoked with their credential ---

    @Test
    void logoutRevokesTheTokensTheSessionMintedAndTheirDescendants() {
        server.user("ivy", "ivy-password-1", false);
        BrowserSession s = BrowserSession.login(server, "ivy", "ivy-password-1");
        String child =
                mint("Cookie", s.cookieHeader(), "X-CSRF-Token", s.csrf(), "Origin", BrowserSession.ownOrigin(server));
        String grandchild = mint("Authorization", "Bearer " + child);
        String unrelated = server.localOpaqueToken("ivy");
        try (WsRecorder a = server.connectWith(child);
                WsRecorder b = server.connectWith(grandchild);
                WsRecorder other = server.connectWith(unrelated)) {
            TestGatehouse.Reply out = server.post(
                    "/api/v1/auth/logout",
                    "",
                    "Cookie",
                    s.cookieHeader(),
                    "X-CSRF-Token",
                    s.csrf(),
                    "Origin",
                    BrowserSession.ownOrigin(server));
            assertThat(out.status()).isEqualTo(200);
            assertThat(a.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
            assertThat(b.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
            other.assertAlive();
        }
        assertRefusedAtHandshake(child, "TOKEN_REVOKED");
        assertRefusedAtHandshake(grandchild, "TOKEN_REVOKED");
    }

    @Test
    void tokenRevokeFromTheCliCascadesToTokensMintedFromIt() {
        String root = server.opaqueToken("jack");
        String child = mint("Authorization", "Bearer " + root);
        String grandchild = mint("Authorization", "Bearer " + child);
        String sibling = mint("Authorization", "Bearer " + Jwts.hs256For("jack"));
        try (WsRecorder a = server.connectWith(child);
                WsRecorder b = server.connectWith(grandchild);
                WsRecorder other = server.connectWith(sibling)) {
            server.cli("token", "revoke", root.substring(0, 12));
            assertThat(a.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
            assertThat(b.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
            other.assertAlive();
        }
        assertRefusedAtHandshake(child, "TOKEN_REVOKED");
        assertRefusedAtHandshake(grandchild, "TOKEN_REVOKED");
    }

    @Test
    void revokingATokenOverTheApiCascadesToTokensMintedFromIt() {
        String owner = Jwts.hs256For("kate");
        String child = mint("Authorization", "Bearer " + owner);
        String grandchild = mint("Authorization", "Bearer " + child);
        try (WsRecorder b = server.connectWith(grandchild)) {
            assertThat(server.delete("/api/v1/tokens/" + child.substring(0, 12), "Authorization", "Bearer " + owner)
                            .status())
                    .isEqualTo(200);
            assertThat(b.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
        }
        assertRefusedAtHandshake(grandchild, "TOKEN_REVOKED");
        assertThat(server.get("/api/v1/tokens", "Authorization", "Bearer " + owner)
                        .body()
                        .path("tokens"))
                .isEmpty();
    }

    // --- (c) a removed user's minted JWTs ---

    @Test
    void aRemovedUsersMintedJwtIsRefusedAtHandshakeAndOnRefresh() throws InterruptedException {
        server.user("liam", "liam-password-1", false);
        String jwt = server.cli("token", "create", "--user", "liam", "--type", "jwt", "--ttl", "1h");
        try (WsRecorder ws = server.connectWith(jwt)) {
            server.cli("user", "remove", "liam");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
        }
        assertRefusedAtHandshake(jwt, "TOKEN_REVOKED");
        assertThat(server.get("/api/v1/auth/verify", "Authorization", "Bearer " + jwt)
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("TOKEN_REVOKED");

        // liam is created again: new credentials work, the old JWT does not come back with them
        Thread.sleep(1100); // JWT iat has whole seconds: a token minted in the removal's second is refused too
        server.user("liam", "liam-password-2", false);
        String fresh = server.cli("token", "create", "--user", "liam", "--type", "jwt", "--ttl", "1h");
        try (WsRecorder ws = server.connectWith(fresh)) {
            ws.send("{\"type\":\"refresh\",\"token\":\"" + jwt + "\"}");
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
        }
    }

    @Test
    void theNotBeforeOfARemovedUserOutlivesARestart() throws Exception {
        TestGatehouse first = new TestGatehouse().start();
        java.nio.file.Path config = first.dataDir().resolve("config.yaml");
        String jwt;
        try (first) {
            first.user("mona", "mona-password-1", false);
            jwt = first.gatehouse()
                    .tokenIssuer()
                    .issueJwt(
                            new io.gatehouse.auth.User("local:mona", "mona", List.of()), List.of(), Duration.ofHours(1))
                    .token();
            assertThat(first.get("/api/v1/auth/verify", "Authorization", "Bearer " + jwt)
                            .status())
                    .isEqualTo(200);
            first.cli("user", "remove", "mona"); // fails unless it exits 0
        }
        // the same data directory and configuration, a new process state: only the journal remembers
        try (io.gatehouse.Gatehouse again = io.gatehouse.Gatehouse.start(
                io.gatehouse.config.ConfigLoader.load(new io.gatehouse.config.ConfigSources().yamlFile(config)),
                java.time.Clock.systemUTC(),
                line -> {})) {
            var http = java.net.http.HttpClient.newHttpClient();
            var reply = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(again.url() + "/api/v1/auth/verify"))
                            .header("Authorization", "Bearer " + jwt)
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(reply.statusCode()).isEqualTo(401);
            assertThat(TestGatehouse.JSON.readTree(reply.body()).path("code").asText())
                    .isEqualTo("TOKEN_REVOKED");
        }
    }
}
