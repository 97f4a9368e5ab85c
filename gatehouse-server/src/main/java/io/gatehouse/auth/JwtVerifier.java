package io.gatehouse.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.net.URI;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Verifies JWTs with Nimbus JOSE+JWT (SPEC §2): HS256 with the shared secret; RS256 and ES256 with
 * the configured PEM keys, the server's own signing key and the keys of the issuer's JWKS. The
 * algorithm decides which keys may verify it, so an HS256 token "signed" with an RSA public key's
 * bytes never meets that key, and {@code alg: none} is never accepted. {@code sub} and {@code exp}
 * are required; {@code nbf} is checked when present; {@code iss} and {@code aud} when configured.
 *
 * <p>{@link #verify} runs on event loops and never blocks. A token is first checked with the keys
 * at hand (CPU only; the stage is then already complete). Only when those keys cannot verify its
 * signature and a fetch may bring the key, because the JWKS cache is empty or expired, or the
 * token names a {@code kid} the cache lacks, does the stage wait for a {@link JwksKeySource} fetch.
 */
public final class JwtVerifier implements TokenVerifier {
    private static final int MAX_HINT_CHARS = 160;
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    /**
     * The public keys one verification may use, and whether the HS256 secret may; the key selector
     * reads them from here.
     */
    private record KeyContext(VerificationKeys keys, boolean hmac) implements SecurityContext {}

    /**
     * A verdict, and whether it was reached because no key at hand verified the signature: only
     * then may a JWKS fetch change the answer.
     */
    private record Outcome(Verdict verdict, boolean keyMissing) {}

    private final DefaultJWTProcessor<KeyContext> processor = new DefaultJWTProcessor<>();
    /** The PEM keys of auth.jwt.public_keys and the signing key's public half; fixed at start. */
    private final VerificationKeys configured;

    private final Optional<JwksKeySource> jwks;
    /**
     * What may verify a JWT with the reserved issuer (one Gatehouse minted): the signing key when
     * one is configured, else only the HS256 secret. Never the application's keys or its JWKS.
     */
    private final KeyContext minted;

    private final String issuer;
    private final UserIds ids;
    private final UserNotBefore notBefore;
    /** auth.jwt.algorithms: the names of the accepted algorithms. */
    private final Set<String> algorithms;

    /** The verifier the server uses: keys, claims and JWKS as {@code config} says. */
    public static JwtVerifier forConfig(byte[] hmacSecret, GatehouseConfig.Jwt config, Clock clock) {
        return forConfig(
                HmacKeys.single(hmacSecret),
                config,
                clock,
                new UserIds(GatehouseConfig.PrimarySource.JWT, config.otherIssuers()),
                new UserNotBefore(java.time.Duration.ZERO));
    }

    /**
     * Like {@link #forConfig(byte[], GatehouseConfig.Jwt, Clock)}, with every HS256 secret of a
     * rotation, the id namespaces and per-user not-befores.
     */
    public static JwtVerifier forConfig(
            HmacKeys hmacSecret, GatehouseConfig.Jwt config, Clock clock, UserIds ids, UserNotBefore notBefore) {
        Optional<JwksKeySource> jwks = config.jwksUrl().isEmpty()
                ? Optional.empty()
                : Optional.of(JwksKeySource.forUrl(jwksUri(config.jwksUrl()), config.jwksCacheTtl(), clock));
        return new JwtVerifier(hmacSecret, config, jwks, ids, notBefore);
    }

    private static URI jwksUri(String url) {
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value for auth.jwt.jwks_url: '" + url + "' is not a valid URL");
        }
    }

    /**
     * @param hmacSecret the HS256 secret (at least 32 bytes)
     * @param config the PEM keys, signing key, issuer, audience and clock skew; its JWKS URL is ignored
     * @param jwks the issuer's JWKS, when tokens may be signed by its keys
     * @throws io.gatehouse.config.ConfigException when a configured key is invalid
     */
    public JwtVerifier(byte[] hmacSecret, GatehouseConfig.Jwt config, Optional<JwksKeySource> jwks) {
        this(
                HmacKeys.single(hmacSecret),
                config,
                jwks,
                new UserIds(GatehouseConfig.PrimarySource.JWT, config.otherIssuers()),
                new UserNotBefore(java.time.Duration.ZERO));
    }

    /** @param hmacSecret the HS256 secrets: a JWT's {@code kid} picks one, a JWT without one tries each */
    public JwtVerifier(
            HmacKeys hmacSecret,
            GatehouseConfig.Jwt config,
            Optional<JwksKeySource> jwks,
            UserIds ids,
            UserNotBefore notBefore) {
        this.ids = ids;
        this.notBefore = notBefore;
        VerificationKeys keys = VerificationKeys.withoutIds(PublicKeys.load(config.publicKeys()));
        Optional<SigningKey> signingKey = SigningKey.fromConfig(config);
        if (signingKey.isPresent()) {
            VerificationKeys own = VerificationKeys.of(List.of(new VerificationKeys.Entry(
                    signingKey.get().keyId(), signingKey.get().publicKey())));
            keys = keys.plus(own);
            this.minted = new KeyContext(own, false);
        } else {
            this.minted = new KeyContext(VerificationKeys.NONE, true);
        }
        this.configured = keys;
        this.jwks = jwks;
        this.algorithms = config.algorithms();
        JWSKeySelector<KeyContext> selector = (header, context) -> JWSAlgorithm.HS256.equals(header.getAlgorithm())
                ? (context.hmac() ? hmacSecret.candidates(header.getKeyID()) : List.<Key>of())
                : context.keys().candidates(header.getAlgorithm(), header.getKeyID());
        processor.setJWSKeySelector(selector);
        this.issuer = config.issuer();
        String audience = config.audience();
        // iss is checked after the signature (see identity): auth.jwt.issuer, an other issuer, or ours.
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        Set<String> required = new HashSet<>(Set.of("sub", "exp"));
        if (!audience.isEmpty()) {
            required.add("aud");
        }
        // A HashSet: Nimbus asks it contains(each aud), and Set.of throws on an "aud": [null].
        var claims = new DefaultJWTClaimsVerifier<KeyContext>(
                audience.isEmpty() ? null : new HashSet<>(Set.of(audience)), exact.build(), required, null);
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
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
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) { // Nimbus throws NullPointerException for a header of JSON null
            return done(Verdict.refused(RefusalCode.TOKEN_INVALID.refusal("The JWT cannot be parsed")));
        }
        if (jwt instanceof SignedJWT s
                && !algorithms.contains(s.getHeader().getAlgorithm().getName())) {
            return done(Verdict.refused(RefusalCode.TOKEN_INVALID.refusal("JWT rejected: alg "
                    + abbreviate(s.getHeader().getAlgorithm().getName())
                    + " is not accepted here (auth.jwt.algorithms)")));
        }
        if (claimsMinted(jwt)) {
            // Gatehouse's own: only its own key may verify it, never a key of the application's ...
            Outcome own = check(jwt, minted, true);
            if (own.verdict().isAccepted()
                    || !own.keyMissing()
                    || !ids.isOtherIssuer(GatehouseConfig.Jwt.GATEHOUSE_ISSUER)) {
                return done(own.verdict());
            }
            // ... unless another Gatehouse is a named issuer (auth.jwt.other_issuers: NAME=gatehouse):
            // then what its keys sign gets that issuer's namespace, never this server's ids.
        }
        if (jwks.isEmpty()
                || !(jwt instanceof SignedJWT signed)
                || !ASYMMETRIC.contains(signed.getHeader().getAlgorithm())) {
            return done(check(jwt, configured).verdict());
        }
        JwksKeySource source = jwks.get();
        String kid = signed.getHeader().getKeyID();
        Optional<VerificationKeys> fresh = source.freshKeys();
        if (fresh.isPresent()) {
            VerificationKeys atHand = configured.plus(fresh.get());
            Outcome outcome = check(jwt, atHand);
            if (!outcome.keyMissing() || kid == null || atHand.hasKeyId(kid)) {
                return done(outcome.verdict());
            }
            // A kid the issuer did not publish when the cache was filled: it may have rotated its keys.
            return source.refreshForUnknownKid(kid).thenApply(fetched -> afterFetch(jwt, fetched));
        }
        // Nothing cached, or expired: the configured keys need no fetch, so they go first.
        Outcome outcome = check(jwt, configured);
        if (!outcome.keyMissing() || (kid != null && configured.hasKeyId(kid))) {
            return done(outcome.verdict());
        }
        return source.refresh().thenApply(fetched -> afterFetch(jwt, fetched));
    }

    /** Whether the (not yet verified) token says it was minted by Gatehouse. */
    private static boolean claimsMinted(JWT jwt) {
        try {
            JWTClaimsSet claims = jwt.getJWTClaimsSet(); // null for a payload of JSON null
            return claims != null && GatehouseConfig.Jwt.GATEHOUSE_ISSUER.equals(claims.getIssuer());
        } catch (ParseException e) {
            return false; // the processor refuses it
        }
    }

    /** Decides with the keys a fetch returned: the new ones, or the last good ones when it failed. */
    private Verdict afterFetch(JWT jwt, VerificationKeys fetched) {
        if (fetched.isEmpty()) {
            return Verdict.refused(RefusalCode.BACKEND_UNAVAILABLE.refusal(
                    "The token issuer's signing keys could not be fetched (auth.jwt.jwks_url); back off and retry"));
        }
        return check(jwt, configured.plus(fetched)).verdict();
    }

    private static CompletionStage<Verdict> done(Verdict verdict) {
        return CompletableFuture.completedFuture(verdict);
    }

    private Outcome check(JWT jwt, VerificationKeys keys) {
        return check(jwt, new KeyContext(keys, true), false);
    }

    private Outcome check(JWT jwt, KeyContext keys, boolean mintedByUs) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, keys);
        } catch (ExpiredJWTException e) {
            return decided(
                    RefusalCode.TOKEN_EXPIRED.refusal("The JWT has expired (exp); obtain a fresh token and reconnect"));
        } catch (BadJWTException e) {
            // Claims are checked only after a key verified the signature (or the payload is not JSON).
            return decided(RefusalCode.TOKEN_INVALID.refusal(hint(e.getMessage())));
        } catch (BadJOSEException e) {
            boolean keyMissing = e instanceof BadJWSException || noCandidates(jwt, keys.keys());
            return new Outcome(Verdict.refused(RefusalCode.TOKEN_INVALID.refusal(hint(e.getMessage()))), keyMissing);
        } catch (JOSEException e) {
            return decided(RefusalCode.TOKEN_INVALID.refusal(hint(e.getMessage())));
        }
        try {
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank()) {
                return decided(RefusalCode.TOKEN_INVALID.refusal("JWT rejected: sub is empty"));
            }
            if (claims.getExpirationTime() == null) { // "exp": null passes Nimbus's required-claims check
                return decided(RefusalCode.TOKEN_INVALID.refusal("JWT rejected: exp must be a NumericDate"));
            }
            String id;
            if (mintedByUs) {
                id = sub; // minted for an id that is already qualified
                java.util.Date iat = claims.getIssueTime();
                if (notBefore.refuses(id, iat == null ? null : iat.toInstant())) {
                    return decided(
                            RefusalCode.TOKEN_REVOKED.refusal("The user was removed after this token was issued"));
                }
            } else {
                String iss = claims.getIssuer();
                if (!issuer.isEmpty() && !issuer.equals(iss) && !ids.isOtherIssuer(iss)) {
                    return decided(RefusalCode.TOKEN_INVALID.refusal(
                            "JWT rejected: iss is neither auth.jwt.issuer nor one of auth.jwt.other_issuers"));
                }
                id = ids.jwt(iss, sub);
            }
            String name = claims.getStringClaim("name");
            List<String> roles = stringList(claims, "roles");
            Set<String> channels = Set.copyOf(stringList(claims, "channels"));
            User user = new User(id, name == null ? sub : name, roles);
            return new Outcome(
                    Verdict.accepted(new Principal(
                            user,
                            channels,
                            claims.getExpirationTime().toInstant(),
                            TokenKind.JWT,
                            Fingerprint.credentialId(jwt.getParsedString()))),
                    false);
        } catch (io.gatehouse.protocol.RefusalException e) {
            return decided(e.refusal());
        } catch (ParseException e) {
            return decided(RefusalCode.TOKEN_INVALID.refusal(
                    "JWT rejected: name must be a string, roles and channels lists of strings"));
        }
    }

    private static Outcome decided(Refusal refusal) {
        return new Outcome(Verdict.refused(refusal), false);
    }

    private static boolean noCandidates(JWT jwt, VerificationKeys keys) {
        if (!(jwt instanceof SignedJWT signed)) {
            return false;
        }
        JWSHeader header = signed.getHeader();
        return ASYMMETRIC.contains(header.getAlgorithm())
                && keys.candidates(header.getAlgorithm(), header.getKeyID()).isEmpty();
    }

    private static List<String> stringList(JWTClaimsSet claims, String name) throws ParseException {
        List<String> list = claims.getStringListClaim(name);
        if (list != null && list.contains(null)) { // Nimbus lets JSON null through as an element
            throw new ParseException(name + " holds null", 0);
        }
        return list == null ? List.of() : list;
    }

    private static String abbreviate(String alg) {
        String clean = alg.replaceAll("[^A-Za-z0-9]", "?");
        return clean.length() > 16 ? clean.substring(0, 16) : clean;
    }

    private static String hint(String nimbusMessage) {
        // Nimbus messages name claims and algorithms, never key material.
        String m = nimbusMessage == null ? "signature or claims invalid" : nimbusMessage;
        String hint = "JWT rejected: " + m;
        return hint.length() > MAX_HINT_CHARS ? hint.substring(0, MAX_HINT_CHARS) : hint;
    }
}
