package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reserved parts of the id namespaces: primary ids may not take a reserved prefix, and only
 * Gatehouse's own key may sign a JWT with the reserved issuer {@code gatehouse}.
 */
class ReservedIdentityTest {
    static void assertRefused(TestGatehouse server, String token, String code) {
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, code));
        }
    }

    static String idOf(TestGatehouse server, String token) {
        try (WsRecorder ws = server.connectWith(token)) {
            return ws.established().path("user").path("id").asText();
        }
    }

    static String pkcs8(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void anApplicationIdWithAReservedPrefixIsRefused() {
        try (TestGatehouse server = new TestGatehouse().start()) {
            for (String sub : List.of("local:admin", "jwt:partner:7", "introspection:42")) {
                assertRefused(server, Jwts.hs256For(sub), "TOKEN_INVALID");
                TestGatehouse.Reply verify =
                        server.get("/api/v1/auth/verify", "Authorization", "Bearer " + Jwts.hs256For(sub));
                assertThat(verify.body().path("hint").asText()).contains("reserved");
            }
            assertThat(idOf(server, Jwts.hs256For("localhost:admin")))
                    .isEqualTo("localhost:admin"); // only the exact prefixes
        }
    }

    @Test
    void aPrimaryIntrospectedIdWithAReservedPrefixIsRefused() {
        try (IntrospectionBackend backend = IntrospectionBackend.start();
                TestGatehouse server = new TestGatehouse()
                        .with("auth.introspection.url", backend.url())
                        .with("auth.primary_source", "introspection")
                        .start()) {
            backend.answer("drf-1", 200, "{\"id\":\"local:admin\"}");
            backend.answer("drf-2", 200, "{\"id\":\"7\"}");
            assertRefused(server, "drf-1", "TOKEN_INVALID");
            assertThat(idOf(server, "drf-2")).isEqualTo("7");
            // the application's JWTs are then the second source
            assertThat(idOf(server, Jwts.hs256For("7"))).isEqualTo("jwt::7");
        }
    }

    @Test
    void withASigningKeyAnHs256TokenCannotClaimTheReservedIssuer() {
        KeyPair rsa = Jwts.rsaKeys();
        try (TestGatehouse server = new TestGatehouse()
                .with("auth.jwt.signing_key", pkcs8(rsa.getPrivate()))
                .start()) {
            String forged =
                    Jwts.hs256(Jwts.claims("local:admin").issuer("gatehouse").claim("roles", List.of("admin")));
            assertRefused(server, forged, "TOKEN_INVALID");
            String own = server.gatehouse()
                    .tokenIssuer()
                    .issueJwt(new User("local:admin", "admin", List.of("admin")), List.of(), Duration.ofMinutes(5))
                    .token();
            assertThat(idOf(server, own)).isEqualTo("local:admin");
        }
    }

    @Test
    void anIdentityProvidersKeyCannotSignTheReservedIssuer() {
        KeyPair idp = Jwts.rsaKeys();
        try (TestGatehouse server = new TestGatehouse()
                .with("auth.jwt.public_keys", List.of(Jwts.pem(idp.getPublic())))
                .start()) {
            assertRefused(server, Jwts.rs256(Jwts.claims("local:admin").issuer("gatehouse"), idp), "TOKEN_INVALID");
            assertThat(idOf(server, Jwts.rs256(Jwts.claims("7").issuer("https://idp.example"), idp)))
                    .isEqualTo("7");
        }
    }

    @Test
    void withOnlyTheSharedSecretTheSecretHolderIsTrustedAsGatehouse() {
        // The trust model (docs/protocol.md): the HS256 secret is Gatehouse's own minting key too.
        try (TestGatehouse server = new TestGatehouse().start()) {
            assertThat(idOf(server, Jwts.hs256(Jwts.claims("local:ops").issuer("gatehouse"))))
                    .isEqualTo("local:ops");
        }
    }
}
