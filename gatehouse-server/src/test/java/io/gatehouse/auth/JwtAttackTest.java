package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JWT attack matrix, end to end: each forged or broken token is refused at the handshake
 * with close 4401 and the right reason, and GET /api/v1/auth/verify agrees.
 */
class JwtAttackTest {
    static final String ISSUER = "https://app.test";
    static final String AUDIENCE = "gatehouse";
    static final KeyPair RSA = Jwts.rsaKeys();
    static final KeyPair EC = Jwts.ecKeys();

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("auth.jwt.public_keys", List.of(Jwts.pem(RSA.getPublic()), Jwts.pem(EC.getPublic())))
            .with("auth.jwt.issuer", ISSUER)
            .with("auth.jwt.audience", AUDIENCE);

    static JWTClaimsSet.Builder good(String sub) {
        return Jwts.claims(sub).issuer(ISSUER).audience(AUDIENCE);
    }

    static Date minutesFromNow(int minutes) {
        return Date.from(Instant.now().plus(Duration.ofMinutes(minutes)));
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("HS256 with the shared secret", (Supplier<String>) () -> Jwts.hs256(good("u1"))),
                Arguments.of("RS256 with the configured RSA key", (Supplier<String>) () -> Jwts.rs256(good("u2"), RSA)),
                Arguments.of("ES256 with the configured EC key", (Supplier<String>) () -> Jwts.es256(good("u3"), EC)),
                Arguments.of("exp 10 s ago, inside the clock-skew allowance", (Supplier<String>) () -> Jwts.hs256(
                        good("u4").expirationTime(Date.from(Instant.now().minusSeconds(10))))));
    }

    @ParameterizedTest(name = "{0} is accepted")
    @MethodSource("accepted")
    void validTokensAreAccepted(String name, Supplier<String> token) {
        try (WsRecorder ws = server.connectWith(token.get())) {
            assertThat(ws.established().path("user").path("id").asText()).startsWith("u");
        }
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("alg none", (Supplier<String>) () -> Jwts.algNone(good("mallory")), "TOKEN_INVALID"),
                Arguments.of(
                        "HS256 keyed with the RSA public key's bytes",
                        (Supplier<String>) () ->
                                Jwts.hs256(good("mallory"), RSA.getPublic().getEncoded()),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "HS256 keyed with the RSA public key's PEM text",
                        (Supplier<String>) () -> Jwts.hs256(
                                good("mallory"), Jwts.pem(RSA.getPublic()).getBytes()),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "RS256 signed by an unknown key",
                        (Supplier<String>) () -> Jwts.rs256(good("mallory"), Jwts.rsaKeys()),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "HS256 signed with another secret",
                        (Supplier<String>)
                                () -> Jwts.hs256(good("mallory"), "another-secret-that-is-32-bytes-long!!".getBytes()),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "expired",
                        (Supplier<String>) () -> Jwts.hs256(good("late").expirationTime(minutesFromNow(-10))),
                        "TOKEN_EXPIRED"),
                Arguments.of(
                        "nbf in the future",
                        (Supplier<String>) () -> Jwts.hs256(good("early").notBeforeTime(minutesFromNow(10))),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "wrong iss",
                        (Supplier<String>) () -> Jwts.hs256(good("x").issuer("https://evil.test")),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "missing iss",
                        (Supplier<String>) () -> Jwts.hs256(Jwts.claims("x").audience(AUDIENCE)),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "wrong aud",
                        (Supplier<String>) () -> Jwts.hs256(good("x").audience("other-app")),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "tampered payload",
                        (Supplier<String>) () -> Jwts.withPayload(
                                Jwts.hs256(good("alice")), good("admin").claim("roles", List.of("admin"))),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "missing sub",
                        (Supplier<String>) () -> Jwts.hs256(good("x").subject(null)),
                        "TOKEN_INVALID"),
                Arguments.of(
                        "missing exp",
                        (Supplier<String>) () -> Jwts.hs256(good("x").expirationTime(null)),
                        "TOKEN_INVALID"),
                Arguments.of("not a JWT at all", (Supplier<String>) () -> "a.b.c", "TOKEN_INVALID"),
                Arguments.of(
                        "roles that are not a list",
                        (Supplier<String>) () -> Jwts.hs256(good("x").claim("roles", "admin")),
                        "TOKEN_INVALID"));
    }

    @ParameterizedTest(name = "{0} is refused with {2}")
    @MethodSource("refused")
    void forgedOrBrokenTokensCloseWith4401AndTheirCode(String name, Supplier<String> token, String code) {
        String t = token.get();
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + t)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, code));
        }
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + t);
        assertThat(verify.status()).isEqualTo(401);
        assertThat(verify.body().path("code").asText()).isEqualTo(code);
        assertThat(verify.body().path("hint").asText()).isNotBlank();
    }

    @Test
    void claimsBecomeTheUserAndTheExtraChannels() {
        String t = Jwts.hs256(good("u9")
                .claim("name", "Uma")
                .claim("roles", List.of("editor"))
                .claim("channels", List.of("secret:x")));
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + t);
        assertThat(verify.status()).isEqualTo(200);
        assertThat(verify.body().path("user").path("id").asText()).isEqualTo("u9");
        assertThat(verify.body().path("user").path("name").asText()).isEqualTo("Uma");
        assertThat(verify.body().path("user").path("roles").get(0).asText()).isEqualTo("editor");
        assertThat(verify.body().path("method").asText()).isEqualTo("jwt");
        assertThat(verify.body().path("expires_at").asText()).isNotBlank();
    }

    @Test
    void jwtsTheServerMintsCarryTheConfiguredIssuerAndAudience() {
        String minted = server.gatehouse()
                .tokenIssuer()
                .issueJwt(new User("u10", "Ulla", List.of()), List.of(), Duration.ofMinutes(5))
                .token();
        assertThat(server.get("/api/v1/auth/verify", "Authorization", "Bearer " + minted)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void hs256TokensKeyedWithThePublicKeyNeverMeetThatKey() {
        // HS256 always has a secret (configured or generated); the key selector never offers the
        // RSA key to an HS256 token, so the forged MAC cannot verify.
        String forged = Jwts.hs256(good("mallory"), RSA.getPublic().getEncoded());
        assertThat(server.get("/api/v1/auth/verify", "Authorization", "Bearer " + forged)
                        .body()
                        .path("code")
                        .asText())
                .isEqualTo("TOKEN_INVALID");
    }
}
