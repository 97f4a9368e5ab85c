package io.gatehouse.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * The credential of each bench connection: an HS256 JWT per connection, minted from the server's
 * secret (one user per connection, {@code sub} {@code bench-N}, so per-user connection limits and
 * duplicate-session rules do not apply), or one fixed token for all of them.
 */
public final class TokenSource {
    static final Duration LIFETIME = Duration.ofHours(1);
    static final String SUBJECT_PREFIX = "bench-";

    private final JWSSigner signer;
    private final String fixedToken;

    private TokenSource(JWSSigner signer, String fixedToken) {
        this.signer = signer;
        this.fixedToken = fixedToken;
    }

    /**
     * Mints from the HS256 secret (its UTF-8 bytes, as {@code auth.jwt.secret}).
     *
     * @throws IllegalArgumentException when the secret is shorter than 32 bytes
     */
    public static TokenSource hs256(String secret) {
        try {
            return new TokenSource(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), null);
        } catch (KeyLengthException e) {
            throw new IllegalArgumentException(
                    "--secret must be at least 32 bytes (256 bits) for HS256, as auth.jwt.secret is");
        }
    }

    /** The same token for every connection; the server must then allow that many connections of one credential. */
    public static TokenSource fixed(String token) {
        return new TokenSource(null, token);
    }

    /**
     * Tokens for connections {@code 0 .. count-1}, minted before any load starts so that signing is
     * not part of what is measured.
     */
    public List<String> tokens(int count) {
        return tokens(count, SUBJECT_PREFIX);
    }

    /** As {@link #tokens(int)}, for users {@code PREFIX0}, {@code PREFIX1}, ... */
    public List<String> tokens(int count, String subjectPrefix) {
        if (fixedToken != null) {
            return Collections.nCopies(count, fixedToken);
        }
        Date expiry = Date.from(Instant.now().plus(LIFETIME));
        List<String> tokens = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tokens.add(mint(subjectPrefix + i, expiry));
        }
        return tokens;
    }

    /** The user id ({@code sub}) of connection {@code index}'s minted token: {@code bench-N}. */
    public static String subject(int index) {
        return SUBJECT_PREFIX + index;
    }

    /** Whether each connection gets a token of its own user ({@link #subject}), rather than one fixed token. */
    public boolean perConnection() {
        return fixedToken == null;
    }

    private String mint(String subject, Date expiry) {
        // A random jti keeps the tokens of two runs in the same second apart.
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .expirationTime(expiry)
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        return jwt.serialize();
    }
}
