package io.gatehouse.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/** Mints test JWTs, good and bad. */
public final class Jwts {
    private Jwts() {}

    /** Claims for {@code sub} expiring in an hour, with a random {@code jti}. */
    public static JWTClaimsSet.Builder claims(String sub) {
        // A random jti keeps two tokens minted in the same second apart (limits.duplicate_session_policy).
        return new JWTClaimsSet.Builder()
                .subject(sub)
                .jwtID(java.util.UUID.randomUUID().toString())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
    }

    public static String hs256(JWTClaimsSet.Builder claims) {
        return hs256(claims, TestGatehouse.SECRET.getBytes(StandardCharsets.UTF_8));
    }

    public static String hs256(JWTClaimsSet.Builder claims, byte[] key) {
        return sign(JWSAlgorithm.HS256, claims, macSigner(key));
    }

    public static String hs256For(String sub, List<String> roles, List<String> channels) {
        return hs256(claims(sub).claim("roles", roles).claim("channels", channels));
    }

    public static String hs256For(String sub) {
        return hs256(claims(sub));
    }

    public static String rs256(JWTClaimsSet.Builder claims, KeyPair rsa) {
        return sign(JWSAlgorithm.RS256, claims, new RSASSASigner(rsa.getPrivate()));
    }

    public static String es256(JWTClaimsSet.Builder claims, KeyPair ec) {
        try {
            return sign(JWSAlgorithm.ES256, claims, new ECDSASigner((ECPrivateKey) ec.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsecured JWT: header {@code {"alg":"none"}}, empty signature. */
    public static String algNone(JWTClaimsSet.Builder claims) {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        return header + "." + b64(claims.build().toString()) + ".";
    }

    /** {@code token} with its payload replaced by {@code claims}, signature kept. */
    public static String withPayload(String token, JWTClaimsSet.Builder claims) {
        String[] parts = token.split("\\.");
        return parts[0] + "." + b64(claims.build().toString()) + "." + parts[2];
    }

    public static KeyPair rsaKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static JWSSigner macSigner(byte[] key) {
        try {
            return new MACSigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSAlgorithm alg, JWTClaimsSet.Builder claims, JWSSigner signer) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims.build());
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
