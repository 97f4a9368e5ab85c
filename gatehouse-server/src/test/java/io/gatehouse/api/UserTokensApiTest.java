package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.auth.SecretToken;
import io.gatehouse.store.TokenRecord;
import io.gatehouse.store.TokenStore;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Opaque tokens through the user API: create, list, use, revoke; and GET auth/verify. */
class UserTokensApiTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    void aUserMintsAnOpaqueTokenThatAuthenticatesUntilRevoked() {
        String jwt = Jwts.hs256For("alice");
        TestGatehouse.Reply created = server.post("/api/v1/tokens", "{\"ttl\":\"30m\"}", "Authorization", bearer(jwt));
        assertThat(created.status()).isEqualTo(201);
        String token = created.body().path("token").asText();
        String prefix = created.body().path("prefix").asText();
        assertThat(token).startsWith("ght_").startsWith(prefix);
        assertThat(prefix).hasSize(12);
        assertThat(Instant.parse(created.body().path("expires_at").asText()))
                .isBetween(
                        Instant.now().plus(Duration.ofMinutes(29)),
                        Instant.now().plus(Duration.ofMinutes(31)));

        try (WsRecorder ws = server.connectWith(token)) {
            assertThat(ws.established().path("user").path("id").asText()).isEqualTo("alice");
        }
        JsonNode verify = server.get("/api/v1/auth/verify", "Authorization", bearer(token))
                .body();
        assertThat(verify.path("method").asText()).isEqualTo("opaque");

        JsonNode list = server.get("/api/v1/tokens", "Authorization", bearer(jwt))
                .body()
                .path("tokens");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("prefix").asText()).isEqualTo(prefix);
        assertThat(list.get(0).path("last_used_at").asText()).isNotBlank();
        assertThat(list.get(0).toString()).doesNotContain(token);

        TestGatehouse.Reply revoked = server.delete("/api/v1/tokens/" + prefix, "Authorization", bearer(jwt));
        assertThat(revoked.status()).isEqualTo(200);
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", bearer(token))) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
        }
        assertThat(server.get("/api/v1/tokens", "Authorization", bearer(jwt))
                        .body()
                        .path("tokens"))
                .isEmpty();
        assertThat(server.delete("/api/v1/tokens/" + prefix, "Authorization", bearer(jwt))
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aMintedTokenNeverOutlivesTheCredentialThatMintedIt() {
        Instant jwtExpiry = Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
        String shortJwt = Jwts.hs256(Jwts.claims("alice").expirationTime(java.util.Date.from(jwtExpiry)));
        TestGatehouse.Reply created =
                server.post("/api/v1/tokens", "{\"ttl\":\"30d\"}", "Authorization", bearer(shortJwt));
        assertThat(created.status()).isEqualTo(201);
        assertThat(Instant.parse(created.body().path("expires_at").asText())).isBeforeOrEqualTo(jwtExpiry);
        // and minting again from the minted token does not extend it either
        String minted = created.body().path("token").asText();
        TestGatehouse.Reply again = server.post("/api/v1/tokens", "{\"ttl\":\"30d\"}", "Authorization", bearer(minted));
        assertThat(Instant.parse(again.body().path("expires_at").asText())).isBeforeOrEqualTo(jwtExpiry);
    }

    @Test
    void tokensMayGrantUserLimitedChannelsWhoseNamesHoldCommas() {
        String admin = bearer(Jwts.hs256For("root", List.of("admin"), List.of()));
        TestGatehouse.Reply created =
                server.post("/api/v1/tokens", "{\"channels\":[\"dialog#alice,bob\"]}", "Authorization", admin);
        assertThat(created.status()).isEqualTo(201);
        String token = created.body().path("token").asText();
        try (WsRecorder ws = server.connectWith(token)) {
            ws.subscribe("secretive#carol"); // admin role kept
        }
        TestGatehouse.Reply bad =
                server.post("/api/v1/tokens", "{\"channels\":[\"not a channel\"]}", "Authorization", admin);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("code").asText()).isEqualTo("BAD_REQUEST");
    }

    @Test
    void aKnownPrefixWithTheWrongSecretIsRefused() {
        String real = server.opaqueToken("bob");
        String forged = real.substring(0, 12) + (real.charAt(12) == 'A' ? 'B' : 'A') + real.substring(13);
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", bearer(forged))) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
        assertThat(server.get("/api/v1/auth/verify", "Authorization", bearer(forged))
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("TOKEN_INVALID");
    }

    @Test
    void nobodyRevokesSomeoneElsesToken() {
        String bobs = server.opaqueToken("bob");
        String prefix = bobs.substring(0, 12);
        TestGatehouse.Reply r =
                server.delete("/api/v1/tokens/" + prefix, "Authorization", bearer(Jwts.hs256For("mallory")));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(server.get("/api/v1/auth/verify", "Authorization", bearer(bobs))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void anExpiredOpaqueTokenIsRefusedWithTokenExpired() {
        SecretToken secret = SecretToken.generate("ght_");
        Instant past = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        new TokenStore(server.gatehouse().database())
                .insert(new TokenRecord(
                        secret.prefix(),
                        secret.hash(),
                        "old",
                        "old",
                        List.of(),
                        List.of(),
                        past.minus(1, ChronoUnit.HOURS),
                        past,
                        null,
                        null,
                        null));
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", bearer(secret.value()))) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_EXPIRED"));
        }
    }

    @Test
    void aTokenCannotGrantChannelsItsCreatorLacks() {
        TestGatehouse.Reply r = server.post(
                "/api/v1/tokens", "{\"channels\":[\"secret:x\"]}", "Authorization", bearer(Jwts.hs256For("alice")));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().path("code").asText()).isEqualTo("PERMISSION_DENIED");
        TestGatehouse.Reply ok = server.post(
                "/api/v1/tokens",
                "{\"channels\":[\"secret:x\"]}",
                "Authorization",
                bearer(Jwts.hs256For("alice", List.of(), List.of("secret:x"))));
        assertThat(ok.status()).isEqualTo(201);
    }

    @Test
    void badTtlsAreBadRequests() {
        String auth = bearer(Jwts.hs256For("alice"));
        assertThat(server.post("/api/v1/tokens", "{\"ttl\":\"soon\"}", "Authorization", auth)
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("BAD_REQUEST");
        assertThat(server.post("/api/v1/tokens", "{\"ttl\":\"365d\"}", "Authorization", auth)
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("BAD_REQUEST");
        assertThat(server.post("/api/v1/tokens", "{\"ttl\":5}", "Authorization", auth)
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("BAD_REQUEST");
    }

    @Test
    void verifyWithoutACredentialSaysTokenMissing() {
        TestGatehouse.Reply r = server.get("/api/v1/auth/verify");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().path("code").asText()).isEqualTo("TOKEN_MISSING");
    }

    @Test
    void theTokenApiNeedsACredential() {
        assertThat(server.post("/api/v1/tokens", "{}").body().path("code").asText())
                .isEqualTo("TOKEN_MISSING");
        assertThat(server.get("/api/v1/tokens").status()).isEqualTo(401);
    }
}
