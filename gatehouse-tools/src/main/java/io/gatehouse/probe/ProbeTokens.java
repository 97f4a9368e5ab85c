package io.gatehouse.probe;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/** The HS256 JWTs the probe mints: valid and expired ones with the server's secret, and a forged one. */
public final class ProbeTokens {
    /** The {@code sub} of every minted token, so the server's access log shows the probe. */
    public static final String SUBJECT = "gatehouse-probe";
    /** Long enough for one probe run. */
    static final Duration VALID_FOR = Duration.ofMinutes(5);
    /** Far past any clock-skew allowance (Gatehouse's default is 30 s). */
    static final Duration EXPIRED_FOR = Duration.ofHours(1);
    /** HS256 needs a key of at least 256 bits (RFC 7518 §3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    private ProbeTokens() {}

    /** A token {@code secret} signs that is valid for {@link #VALID_FOR}. */
    public static String valid(String secret, Instant now) {
        return sign(secret.getBytes(StandardCharsets.UTF_8), now.minusSeconds(1), now.plus(VALID_FOR));
    }

    /** A token {@code secret} signs that expired {@link #EXPIRED_FOR} ago. */
    public static String expired(String secret, Instant now) {
        return sign(
                secret.getBytes(StandardCharsets.UTF_8),
                now.minus(EXPIRED_FOR).minus(VALID_FOR),
                now.minus(EXPIRED_FOR));
    }

    /**
     * A well-formed, unexpired JWT signed with a random key: garbage to a server that verifies
     * signatures, a way in to one that only decodes the payload.
     */
    public static String garbage(Instant now) {
        byte[] key = new byte[MIN_SECRET_BYTES];
        new SecureRandom().nextBytes(key);
        return sign(key, now.minusSeconds(1), now.plus(VALID_FOR));
    }

    private static String sign(byte[] key, Instant issuedAt, Instant expiresAt) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(SUBJECT)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign an HS256 token: " + e.getMessage(), e);
        }
    }
}
