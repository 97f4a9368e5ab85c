package io.gatehouse.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.store.TokenRecord;
import io.gatehouse.store.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Mints credentials for a user: opaque {@code ght_} tokens (stored only as a hash) and JWTs,
 * signed RS256/ES256 with {@code auth.jwt.signing_key} when one is configured (with its
 * {@code kid}, so holders of {@code /.well-known/jwks.json} can verify them), otherwise HS256
 * with the server's secret. Minted JWTs carry the reserved issuer {@value GatehouseConfig.Jwt#GATEHOUSE_ISSUER}
 * and the user's id as it is (already qualified, see {@link UserIds}). Blocking (opaque tokens write
 * to the database).
 */
public final class TokenIssuer {
    /** A minted token: shown once, never stored or logged. */
    public record IssuedToken(String token, String prefix, Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedToken[" + prefix + ", expires " + expiresAt + "]";
        }
    }

    private final TokenStore tokens;
    private final HmacKeys hmacSecret;
    private final Optional<SigningKey> signingKey;
    private final String audience;
    private final Clock clock;
    /** Whether JWTs may be signed HS256 when there is no signing key (auth.jwt.algorithms names HS256). */
    private final boolean hs256Allowed;

    /**
     * @param signingKey signs JWTs when present; HS256 with {@code hmacSecret} otherwise, if {@code hs256Allowed}
     * @param audience the {@code aud} of minted JWTs, or empty
     */
    private TokenIssuer(
            TokenStore tokens,
            HmacKeys hmacSecret,
            Optional<SigningKey> signingKey,
            String audience,
            Clock clock,
            boolean hs256Allowed) {
        this.hs256Allowed = hs256Allowed;
        this.tokens = tokens;
        this.hmacSecret = hmacSecret;
        this.signingKey = signingKey;
        this.audience = audience;
        this.clock = clock;
    }

    /**
     * An issuer whose JWTs carry the reserved issuer, the configured {@code audience}, and are
     * signed with {@code auth.jwt.signing_key} when set, so the server accepts them.
     *
     * @throws io.gatehouse.config.ConfigException when the signing key is invalid
     */
    public static TokenIssuer forConfig(TokenStore tokens, HmacKeys hmacSecret, GatehouseConfig config, Clock clock) {
        var jwt = config.auth().jwt();
        return new TokenIssuer(
                tokens, hmacSecret, SigningKey.fromConfig(jwt), jwt.audience(), clock, jwt.acceptsHs256());
    }

    /** Why no JWT can be minted: HS256 is off and there is no signing key. */
    public static final String NO_JWT_SIGNER = "auth.jwt.algorithms leaves out HS256 and auth.jwt.signing_key is empty,"
            + " so Gatehouse has no way to sign a JWT its own verifier accepts; set auth.jwt.signing_key (an RS256/ES256"
            + " PEM private key) or mint an opaque token";

    /** Whether this issuer can mint JWTs: a signing key, or HS256 allowed. */
    public boolean canIssueJwt() {
        return signingKey.isPresent() || hs256Allowed;
    }

    public IssuedToken issueOpaque(User user, List<String> channels, Duration ttl) {
        return issueOpaque(user, channels, ttl, null);
    }

    /**
     * An opaque token minted by the holder of {@code mintedFrom} (a credential id), so that revoking
     * that credential revokes this token too; null when no credential minted it (the CLI).
     */
    public IssuedToken issueOpaque(User user, List<String> channels, Duration ttl, String mintedFrom) {
        SecretToken secret = SecretToken.generate(OpaqueTokenVerifier.KIND);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant expires = now.plus(ttl);
        tokens.insert(new TokenRecord(
                secret.prefix(),
                secret.hash(),
                user.id(),
                user.name(),
                user.roles(),
                List.copyOf(channels),
                now,
                expires,
                null,
                null,
                mintedFrom));
        return new IssuedToken(secret.value(), secret.prefix(), expires);
    }

    public IssuedToken issueJwt(User user, List<String> channels, Duration ttl) {
        Instant now = clock.instant();
        Instant expires = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user.id())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .claim("name", user.name())
                .claim("roles", user.roles());
        if (!channels.isEmpty()) {
            claims.claim("channels", channels);
        }
        claims.issuer(GatehouseConfig.Jwt.GATEHOUSE_ISSUER);
        if (!audience.isEmpty()) {
            claims.audience(audience);
        }
        if (signingKey.isEmpty() && !hs256Allowed) {
            throw new IllegalStateException(NO_JWT_SIGNER);
        }
        String token = signingKey.isPresent() ? signingKey.get().sign(claims.build()) : hs256(claims.build());
        return new IssuedToken(token, Fingerprint.of(token), expires);
    }

    private String hs256(JWTClaimsSet claims) {
        HmacKeys.HmacKey key = hmacSecret.signing(); // the newest of a rotation; its kid tells verifiers which
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.keyId()).build(), claims);
        try {
            jwt.sign(new MACSigner(key.secret()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign JWT: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
