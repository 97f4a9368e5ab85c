package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes JWT verification as the handshake runs it: {@link JwtVerifier#claims} then
 * {@link JwtVerifier#verify}, with an HS256 secret and configured RSA and EC public keys (no JWKS,
 * so every verdict is reached on the calling thread). {@link #compact} feeds arbitrary strings;
 * {@link #signedClaims} builds a structurally valid JWT whose header and claims are fuzzed and signs
 * it with the right key, so the claim checks and the principal building after them are reached.
 * Invariants: verify never throws and returns an already completed stage with exactly one of a
 * principal or a refusal; refusals are TOKEN_INVALID or TOKEN_EXPIRED with a short hint; an
 * accepted token has a non-blank subject and an expiry. See docs/fuzzing.md.
 */
class JwtVerifierFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SECRET = TestGatehouse.SECRET.getBytes(StandardCharsets.UTF_8);
    private static final KeyPair RSA = Jwts.rsaKeys();
    private static final KeyPair EC = Jwts.ecKeys();
    private static final String ISSUER = "https://issuer.example";
    private static final String AUDIENCE = "gatehouse";
    /** Without issuer and audience checks, as the default configuration. */
    private static final JwtVerifier PLAIN = verifier("", "");
    /** With auth.jwt.issuer and auth.jwt.audience set. */
    private static final JwtVerifier STRICT = verifier(ISSUER, AUDIENCE);

    private static final Set<RefusalCode> REFUSALS = EnumSet.of(RefusalCode.TOKEN_INVALID, RefusalCode.TOKEN_EXPIRED);
    private static final String[] ALGS = {"HS256", "RS256", "ES256", "none", "HS512", "PS256", "EdDSA", "RSA-OAEP", ""};
    private static final String[] HEADER_FIELDS = {"typ", "kid", "crit", "b64", "jku", "x5u", "jwk", "cty", "zip", "enc"
    };
    private static final String[] CLAIMS = {"sub", "exp", "nbf", "iat", "iss", "aud", "name", "roles", "channels", "jti"
    };

    private static JwtVerifier verifier(String issuer, String audience) {
        var config = new GatehouseConfig.Jwt(
                TestGatehouse.SECRET,
                List.of(Jwts.pem(RSA.getPublic()), Jwts.pem(EC.getPublic())),
                issuer,
                audience,
                Duration.ofSeconds(30),
                "",
                Duration.ofMinutes(5),
                "",
                List.of(),
                GatehouseConfig.Jwt.ALGORITHMS,
                List.of());
        return new JwtVerifier(SECRET, config, Optional.empty());
    }

    /** Any string, as it may arrive in a header, subprotocol, query or auth message. */
    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void compact(FuzzedDataProvider data) {
        JwtVerifier verifier = data.consumeBoolean() ? STRICT : PLAIN;
        String token = data.consumeRemainingAsString();
        if (verifier.claims(token)) {
            assertVerdict(verifier, token);
        }
    }

    /** A well-formed, correctly signed JWT with fuzzed header fields and claim values. */
    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void signedClaims(FuzzedDataProvider data) throws Exception {
        boolean strict = data.consumeBoolean();
        JwtVerifier verifier = strict ? STRICT : PLAIN;
        ObjectNode header = JSON.createObjectNode();
        String alg = data.consumeInt(0, 15) == 0 ? data.pickValue(ALGS) : "HS256";
        header.put("alg", alg);
        int headerFields = data.consumeInt(0, 3);
        for (int i = 0; i < headerFields; i++) {
            header.set(data.pickValue(HEADER_FIELDS), value(data, 2));
        }
        ObjectNode claims = JSON.createObjectNode();
        long now = Instant.now().getEpochSecond();
        // Mostly plausible, so that the checks after the signature are reached.
        claims.put("sub", data.consumeString(40));
        claims.put("exp", now + data.consumeLong(-120, 86_400));
        if (strict && data.consumeBoolean()) {
            claims.put("iss", ISSUER);
            claims.put("aud", AUDIENCE);
        }
        int overrides = data.consumeInt(0, 6);
        for (int i = 0; i < overrides; i++) {
            claims.set(data.pickValue(CLAIMS), value(data, 3));
        }
        String headerJson = data.consumeInt(0, 31) == 0 ? data.consumeString(80) : JSON.writeValueAsString(header);
        String claimsJson =
                data.consumeInt(0, 31) == 0 ? data.consumeRemainingAsString() : JSON.writeValueAsString(claims);
        String signingInput = b64(headerJson) + "." + b64(claimsJson);
        String token = signingInput + "." + sign(alg, signingInput);
        if (verifier.claims(token)) { // not when the fuzzed header is empty
            assertVerdict(verifier, token);
        }
    }

    /** A fuzzed JSON value: scalars of every type, and small lists and objects of them. */
    private static com.fasterxml.jackson.databind.JsonNode value(FuzzedDataProvider data, int depth) {
        return switch (data.consumeInt(0, depth > 0 ? 9 : 7)) {
            case 0 -> JSON.nullNode();
            case 1 -> JSON.getNodeFactory().booleanNode(data.consumeBoolean());
            case 2 -> JSON.getNodeFactory().numberNode(data.consumeLong());
            case 3 -> JSON.getNodeFactory().numberNode(data.consumeDouble());
            case 4 -> JSON.getNodeFactory().numberNode(new java.math.BigInteger(1, data.consumeBytes(24)));
            case 5 -> JSON.getNodeFactory().numberNode(Instant.now().getEpochSecond() + data.consumeInt());
            case 6, 7 -> JSON.getNodeFactory().textNode(data.consumeString(40));
            case 8 -> {
                ArrayNode list = JSON.createArrayNode();
                int n = data.consumeInt(0, 4);
                for (int i = 0; i < n; i++) {
                    list.add(value(data, depth - 1));
                }
                yield list;
            }
            default -> {
                ObjectNode object = JSON.createObjectNode();
                int n = data.consumeInt(0, 3);
                for (int i = 0; i < n; i++) {
                    object.set(data.consumeString(8), value(data, depth - 1));
                }
                yield object;
            }
        };
    }

    private static void assertVerdict(JwtVerifier verifier, String token) {
        CompletableFuture<Verdict> stage = verifier.verify(token).toCompletableFuture();
        assertThat(stage).as("no JWKS: decided on the calling thread").isDone();
        Verdict verdict = stage.join();
        assertThat(verdict).isNotNull();
        assertThat(verdict.principal() == null).isNotEqualTo(verdict.refusal() == null);
        if (verdict.refusal() != null) {
            assertThat(REFUSALS).contains(verdict.refusal().code());
            assertThat(verdict.refusal().hint()).isNotBlank().hasSizeLessThanOrEqualTo(160);
            return;
        }
        Principal p = verdict.principal();
        assertThat(p.user().id()).isNotBlank();
        assertThat(p.kind()).isEqualTo(TokenKind.JWT);
        assertThat(p.expiresAt()).isNotNull();
        assertThat(p.credentialId()).isNotEmpty().doesNotContain(token);
    }

    private static String sign(String alg, String signingInput) throws Exception {
        byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
        return switch (alg) {
            case "RS256" -> {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(RSA.getPrivate());
                s.update(input);
                yield b64(s.sign());
            }
            case "ES256" -> {
                // JWS wants the raw R||S form, not DER.
                Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
                s.initSign((ECPrivateKey) EC.getPrivate());
                s.update(input);
                yield b64(s.sign());
            }
            case "none" -> "";
            default -> {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
                yield b64(mac.doFinal(input));
            }
        };
    }

    private static String b64(String s) {
        return b64(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
