package io.gatehouse.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.gatehouse.protocol.RefusalCode;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies JWTs with Nimbus JOSE+JWT (SPEC §2): HS256 with the shared secret, RS256 and ES256
 * with the configured public keys. The algorithm decides which keys may verify it, so an HS256
 * token "signed" with an RSA public key's bytes never meets that key, and {@code alg: none} is
 * never accepted. {@code sub} and {@code exp} are required; {@code nbf} is checked when present;
 * {@code iss} and {@code aud} when configured. CPU only: safe on an event loop.
 */
public final class JwtVerifier implements TokenVerifier {
    private static final int MAX_HINT_CHARS = 160;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    /**
     * @param hmacSecret the HS256 secret (at least 32 bytes)
     * @param publicKeys RSA keys enable RS256, EC keys ES256
     * @param issuer required {@code iss}, or empty
     * @param audience required {@code aud}, or empty
     */
    public JwtVerifier(byte[] hmacSecret, List<PublicKey> publicKeys, String issuer, String audience, Duration clockSkew) {
        List<Key> hmacKeys = List.of(new SecretKeySpec(hmacSecret, "HmacSHA256"));
        List<Key> rsaKeys = publicKeys.stream().filter(k -> k instanceof RSAPublicKey).map(k -> (Key) k).toList();
        List<Key> ecKeys = publicKeys.stream().filter(k -> k instanceof ECPublicKey).map(k -> (Key) k).toList();
        JWSKeySelector<SecurityContext> keys = (header, context) -> {
            JWSAlgorithm alg = header.getAlgorithm();
            if (JWSAlgorithm.HS256.equals(alg)) {
                return hmacKeys;
            } else if (JWSAlgorithm.RS256.equals(alg)) {
                return rsaKeys;
            } else if (JWSAlgorithm.ES256.equals(alg)) {
                return ecKeys;
            }
            return List.of();
        };
        processor.setJWSKeySelector(keys);
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (!issuer.isEmpty()) {
            exact.issuer(issuer);
        }
        Set<String> required = new HashSet<>(Set.of("sub", "exp"));
        if (!issuer.isEmpty()) {
            required.add("iss");
        }
        if (!audience.isEmpty()) {
            required.add("aud");
        }
        var claims = new DefaultJWTClaimsVerifier<>(audience.isEmpty() ? null : Set.of(audience), exact.build(), required, null);
        claims.setMaxClockSkew((int) clockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** Compact JWS: three base64url parts separated by two dots. */
    @Override
    public boolean claims(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first && !token.startsWith(OpaqueTokenVerifier.KIND);
    }

    @Override
    public CompletionStage<Verdict> verify(String token) {
        return CompletableFuture.completedFuture(check(token));
    }

    private Verdict check(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(JWTParser.parse(token), null);
        } catch (ExpiredJWTException e) {
            return Verdict.refused(RefusalCode.TOKEN_EXPIRED.refusal("The JWT has expired (exp); obtain a fresh token and reconnect"));
        } catch (ParseException e) {
            return Verdict.refused(RefusalCode.TOKEN_INVALID.refusal("The JWT cannot be parsed"));
        } catch (BadJOSEException | JOSEException e) {
            return Verdict.refused(RefusalCode.TOKEN_INVALID.refusal(hint(e.getMessage())));
        }
        try {
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank()) {
                return Verdict.refused(RefusalCode.TOKEN_INVALID.refusal("JWT rejected: sub is empty"));
            }
            String name = claims.getStringClaim("name");
            List<String> roles = stringList(claims, "roles");
            Set<String> channels = Set.copyOf(stringList(claims, "channels"));
            User user = new User(sub, name, roles);
            return Verdict.accepted(new Principal(user, channels, claims.getExpirationTime().toInstant(), TokenKind.JWT,
                    Fingerprint.of(token)));
        } catch (ParseException e) {
            return Verdict.refused(RefusalCode.TOKEN_INVALID.refusal("JWT rejected: name must be a string, roles and channels lists of strings"));
        }
    }

    private static List<String> stringList(JWTClaimsSet claims, String name) throws ParseException {
        List<String> list = claims.getStringListClaim(name);
        return list == null ? List.of() : list;
    }

    private static String hint(String nimbusMessage) {
        // Nimbus messages name claims and algorithms, never key material.
        String m = nimbusMessage == null ? "signature or claims invalid" : nimbusMessage;
        String hint = "JWT rejected: " + m;
        return hint.length() > MAX_HINT_CHARS ? hint.substring(0, MAX_HINT_CHARS) : hint;
    }
}
