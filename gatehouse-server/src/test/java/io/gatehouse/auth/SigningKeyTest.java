package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.config.ConfigException;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server signing its own JWTs with {@code auth.jwt.signing_key} (RS256 or ES256, with the RFC
 * 7638 thumbprint as {@code kid}) and publishing the public key at {@code /.well-known/jwks.json}.
 */
class SigningKeyTest {
    static final KeyPair RSA = Jwts.rsaKeys();
    static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

    @RegisterExtension
    static final TestGatehouse rsaServer = new TestGatehouse()
            .with("auth.jwt.signing_key", pkcs8(RSA.getPrivate()))
            .with("auth.jwt.issuer", "https://gatehouse.test")
            .with("auth.jwt.audience", "apps");

    static String pkcs8(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    static String mint(TestGatehouse server, String userId) {
        return server.gatehouse()
                .tokenIssuer()
                .issueJwt(new User(userId, userId, List.of()), List.of(), Duration.ofMinutes(5))
                .token();
    }

    static void assertAccepted(TestGatehouse server, String token, String userId) {
        try (WsRecorder ws = server.connectWith(token)) {
            assertThat(ws.established().path("user").path("id").asText()).isEqualTo(userId);
        }
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
        assertThat(verify.status()).isEqualTo(200);
        assertThat(verify.body().path("user").path("id").asText()).isEqualTo(userId);
    }

    static void assertPublicOnly(JsonNode key) {
        for (String member : PRIVATE_MEMBERS) {
            assertThat(key.has(member)).as("private member %s", member).isFalse();
        }
    }

    @Test
    void theServerSignsRs256WithTheThumbprintAsKidAndAcceptsItsOwnTokens() throws Exception {
        String token = mint(rsaServer, "rita");

        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.getHeader().getKeyID())
                .isEqualTo(new RSAKey.Builder((RSAPublicKey) RSA.getPublic())
                        .build()
                        .computeThumbprint()
                        .toString());
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("gatehouse"); // reserved: told from the application's
        assertAccepted(rsaServer, token, "rita");
    }

    @Test
    void wellKnownJwksListsThePublicSigningKeyAndNoPrivateMember() throws Exception {
        String kid = SignedJWT.parse(mint(rsaServer, "k")).getHeader().getKeyID();

        TestGatehouse.Reply reply = rsaServer.get("/.well-known/jwks.json");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode keys = reply.body().path("keys");
        assertThat(keys.size()).isEqualTo(1);
        JsonNode key = keys.get(0);
        assertThat(key.path("kty").asText()).isEqualTo("RSA");
        assertThat(key.path("kid").asText()).isEqualTo(kid);
        assertThat(key.path("alg").asText()).isEqualTo("RS256");
        assertThat(key.path("use").asText()).isEqualTo("sig");
        assertThat(RSAKey.parse(key.toString()).toRSAPublicKey()).isEqualTo(RSA.getPublic());
        assertPublicOnly(key);
    }

    @Test
    void anotherGatehouseAcceptsTheTokensThroughThePublishedJwksInTheirOwnNamespace() {
        try (TestGatehouse relying = new TestGatehouse()
                .with("auth.jwt.jwks_url", rsaServer.url() + "/.well-known/jwks.json")
                .with("auth.jwt.issuer", "https://gatehouse.test")
                .with("auth.jwt.other_issuers", List.of("hq=gatehouse"))
                .with("auth.jwt.audience", "apps")
                .start()) {
            assertAccepted(relying, mint(rsaServer, "roaming"), "jwt:hq:roaming");
            // the other Gatehouse's local users are not this one's
            String local = rsaServer
                    .gatehouse()
                    .tokenIssuer()
                    .issueJwt(new User("local:admin", "admin", List.of()), List.of(), Duration.ofMinutes(5))
                    .token();
            assertAccepted(relying, local, "jwt:hq:local:admin");
        }
    }

    @Test
    void anotherGatehousesTokensAreRefusedUnlessItIsANamedIssuer() {
        try (TestGatehouse relying = new TestGatehouse()
                .with("auth.jwt.jwks_url", rsaServer.url() + "/.well-known/jwks.json")
                .with("auth.jwt.audience", "apps")
                .start()) {
            String local = rsaServer
                    .gatehouse()
                    .tokenIssuer()
                    .issueJwt(new User("local:admin", "admin", List.of("admin")), List.of(), Duration.ofMinutes(5))
                    .token();
            try (WsRecorder ws = WsRecorder.connect(relying.ws(), "Authorization", "Bearer " + local)) {
                assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
            }
        }
    }

    @Test
    void anEcP256KeyFromAFileSignsEs256AndIsPublished(@TempDir Path dir) throws Exception {
        KeyPair ec = Jwts.ecKeys();
        Path file = dir.resolve("signing.pem");
        Files.writeString(file, pkcs8(ec.getPrivate()));
        try (TestGatehouse server = new TestGatehouse()
                .with("auth.jwt.signing_key", file.toString())
                .start()) {
            String token = mint(server, "elle");

            SignedJWT jwt = SignedJWT.parse(token);
            assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
            String thumbprint = new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic())
                    .build()
                    .computeThumbprint()
                    .toString();
            assertThat(jwt.getHeader().getKeyID()).isEqualTo(thumbprint);
            assertAccepted(server, token, "elle");

            JsonNode key =
                    server.get("/.well-known/jwks.json").body().path("keys").get(0);
            assertThat(key.path("kty").asText()).isEqualTo("EC");
            assertThat(key.path("crv").asText()).isEqualTo("P-256");
            assertThat(key.path("kid").asText()).isEqualTo(thumbprint);
            assertThat(ECKey.parse(key.toString()).toECPublicKey()).isEqualTo(ec.getPublic());
            assertPublicOnly(key);
        }
    }

    @Test
    void withoutASigningKeyWellKnownJwksIs404NotFoundAndJwtsAreHs256() throws Exception {
        try (TestGatehouse server = new TestGatehouse().start()) {
            TestGatehouse.Reply reply = server.get("/.well-known/jwks.json");

            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.body().path("code").asText()).isEqualTo("NOT_FOUND");
            assertThat(reply.body().path("hint").asText()).contains("auth.jwt.signing_key");
            assertThat(SignedJWT.parse(mint(server, "h")).getHeader().getAlgorithm())
                    .isEqualTo(JWSAlgorithm.HS256);
        }
    }

    static Stream<Arguments> badKeys() throws Exception {
        KeyPairGenerator rsa1024 = KeyPairGenerator.getInstance("RSA");
        rsa1024.initialize(1024);
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        return Stream.of(
                Arguments.of(
                        "garbage inside the PEM block",
                        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                        "neither"),
                Arguments.of(
                        "a PKCS#1 RSA key",
                        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
                        "openssl pkcs8"),
                Arguments.of("a public key", Jwts.pem(RSA.getPublic()), "public key"),
                Arguments.of(
                        "a 1024-bit RSA key", pkcs8(rsa1024.generateKeyPair().getPrivate()), "2048"),
                Arguments.of("an EC key on P-384", pkcs8(p384.generateKeyPair().getPrivate()), "P-256"),
                Arguments.of("a missing file", "/no/such/signing-key.pem", "cannot read"));
    }

    @ParameterizedTest(name = "{0} stops start with a ConfigException naming the key")
    @MethodSource("badKeys")
    void aBadSigningKeyStopsStartWithAConfigExceptionNamingTheKey(String name, String value, String why) {
        TestGatehouse server = new TestGatehouse().with("auth.jwt.signing_key", value);
        try {
            assertThatThrownBy(server::start)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("auth.jwt.signing_key")
                    .hasMessageContaining(why)
                    .hasMessageNotContaining("AAAA");
        } finally {
            server.close();
        }
    }
}
