package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * JWTs signed by a token issuer whose keys Gatehouse fetches from its JWKS
 * ({@code auth.jwt.jwks_url}), end to end: a real JWKS server started by the test, counting its
 * requests, and a real Gatehouse for each test, so that caches and rate limits start empty.
 */
class JwksVerificationTest {
    static final KeyPair RSA = Jwts.rsaKeys();
    static final KeyPair EC = Jwts.ecKeys();

    private final JwksServer jwks = JwksServer.start();
    private TestGatehouse server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        jwks.close();
    }

    private TestGatehouse gatehouse() {
        server = new TestGatehouse()
                .with("auth.jwt.jwks_url", jwks.url().toString())
                .start();
        return server;
    }

    private void assertAccepted(String token, String userId) {
        try (WsRecorder ws = server.connectWith(token)) {
            assertThat(ws.established().path("user").path("id").asText()).isEqualTo(userId);
        }
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
        assertThat(verify.status()).isEqualTo(200);
        assertThat(verify.body().path("user").path("id").asText()).isEqualTo(userId);
        assertThat(verify.body().path("method").asText()).isEqualTo("jwt");
    }

    private void assertClosedWith(String token, int closeCode, String code) {
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(closeCode, code));
        }
    }

    @Test
    void rs256AndEs256TokensWithKidsFromTheJwksConnectAndPassVerify() {
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"), JwksServer.ecJwk(EC, "ec-1"));
        gatehouse();

        assertAccepted(JwksServer.rs256(Jwts.claims("ron"), RSA, "rsa-1"), "ron");
        assertAccepted(JwksServer.es256(Jwts.claims("eve"), EC, "ec-1"), "eve");
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void aTokenWithoutKidIsTriedAgainstEveryJwksKeyOfItsType() {
        jwks.serve(JwksServer.rsaJwk(Jwts.rsaKeys(), "other"), JwksServer.rsaJwk(RSA, "rsa-1"));
        gatehouse();

        assertAccepted(Jwts.rs256(Jwts.claims("nokid"), RSA), "nokid");
    }

    @Test
    void aNewKidIsAcceptedAfterOneRefetchAndASecondNewKidRightAfterWaitsForTheNextRefetch() {
        KeyPair second = Jwts.rsaKeys();
        KeyPair third = Jwts.rsaKeys();
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        gatehouse();
        assertAccepted(JwksServer.rs256(Jwts.claims("before"), RSA, "rsa-1"), "before");
        assertThat(jwks.requests()).isEqualTo(1);

        // The issuer rotates: it now publishes rsa-2 (and, soon after, rsa-3).
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"), JwksServer.rsaJwk(second, "rsa-2"));
        assertAccepted(JwksServer.rs256(Jwts.claims("after"), second, "rsa-2"), "after");
        assertThat(jwks.requests()).isEqualTo(2);

        jwks.serve(
                JwksServer.rsaJwk(RSA, "rsa-1"), JwksServer.rsaJwk(second, "rsa-2"), JwksServer.rsaJwk(third, "rsa-3"));
        // Within the unknown-kid refetch interval (1 s): not refused, it waits for the next refetch.
        assertAccepted(JwksServer.rs256(Jwts.claims("soon"), third, "rsa-3"), "soon");
        assertThat(jwks.requests()).isEqualTo(3);
        // Keys already known still work without a fetch.
        assertAccepted(JwksServer.rs256(Jwts.claims("still"), second, "rsa-2"), "still");
        assertThat(jwks.requests()).isEqualTo(3);
    }

    @Test
    void manyVerificationsWithAKnownKidMakeNoFurtherRequests() {
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        gatehouse();
        String token = JwksServer.rs256(Jwts.claims("cached"), RSA, "rsa-1");

        for (int i = 0; i < 50; i++) {
            assertThat(server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token)
                            .status())
                    .isEqualTo(200);
        }
        assertAccepted(token, "cached");
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void aForgedSignatureWithAKnownKidIsRefusedWithoutARefetch() {
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        gatehouse();
        assertAccepted(JwksServer.rs256(Jwts.claims("real"), RSA, "rsa-1"), "real");

        assertClosedWith(JwksServer.rs256(Jwts.claims("mallory"), Jwts.rsaKeys(), "rsa-1"), 4401, "TOKEN_INVALID");
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void aJwksServerThatIsDownAtFirstUseClosesWith4503BackendUnavailable() {
        jwks.close();
        gatehouse();
        String token = JwksServer.rs256(Jwts.claims("stranded"), RSA, "rsa-1");

        assertClosedWith(token, 4503, "BACKEND_UNAVAILABLE");
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
        assertThat(verify.status()).isEqualTo(503);
        assertThat(verify.body().path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
        assertThat(verify.body().path("hint").asText()).contains("auth.jwt.jwks_url");
    }

    @Test
    void hs256TokensKeyedWithTheJwksRsaKeysPublicBytesAreRefusedWith4401TokenInvalid() {
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        gatehouse();
        assertAccepted(JwksServer.rs256(Jwts.claims("real"), RSA, "rsa-1"), "real");

        String forged = Jwts.hs256(Jwts.claims("mallory"), RSA.getPublic().getEncoded());
        assertClosedWith(forged, 4401, "TOKEN_INVALID");
        assertThat(server.get("/api/v1/auth/verify", "Authorization", "Bearer " + forged)
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("TOKEN_INVALID");
    }

    @Test
    void theSharedSecretConfiguredPemKeysAndJwksKeysWorkTogether() {
        KeyPair pem = Jwts.rsaKeys();
        jwks.serve(JwksServer.ecJwk(EC, "ec-1"));
        server = new TestGatehouse()
                .with("auth.jwt.jwks_url", jwks.url().toString())
                .with("auth.jwt.public_keys", java.util.List.of(Jwts.pem(pem.getPublic())))
                .start();

        assertAccepted(Jwts.hs256(Jwts.claims("hs")), "hs");
        assertAccepted(JwksServer.rs256(Jwts.claims("pem"), pem, "some-kid-the-jwks-lacks"), "pem");
        assertAccepted(JwksServer.es256(Jwts.claims("jwks"), EC, "ec-1"), "jwks");
        // Neither the HS256 token nor the PEM-signed one needed the JWKS.
        assertThat(jwks.requests()).isEqualTo(1);
    }
}
