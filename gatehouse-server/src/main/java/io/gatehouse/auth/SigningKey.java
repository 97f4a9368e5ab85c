package io.gatehouse.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.GatehouseConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's own asymmetric JWT signing key ({@code auth.jwt.signing_key}): a PKCS#8 PEM private
 * key, RSA of at least 2048 bits (RS256) or EC P-256 (ES256), inline or in a file. Its key id is
 * the RFC 7638 thumbprint of the public key, so it changes exactly when the key does. The public
 * half is what {@code GET /.well-known/jwks.json} publishes; the private key never leaves this
 * object (not in {@link #toString}, not in an error message). Immutable and thread-safe.
 */
public final class SigningKey {
    private static final String KEY = "auth.jwt.signing_key";
    private static final Pattern PEM =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private final JWSAlgorithm algorithm;
    private final JWSSigner signer;
    private final PublicKey publicKey;
    private final JWK publicJwk;

    private SigningKey(JWSAlgorithm algorithm, JWSSigner signer, PublicKey publicKey, JWK publicJwk) {
        this.algorithm = algorithm;
        this.signer = signer;
        this.publicKey = publicKey;
        this.publicJwk = publicJwk;
    }

    /** The configured signing key; empty when {@code auth.jwt.signing_key} is empty (HS256 only). */
    public static Optional<SigningKey> fromConfig(GatehouseConfig.Jwt jwt) {
        return jwt.signingKey().isBlank() ? Optional.empty() : Optional.of(load(jwt.signingKey()));
    }

    /**
     * Reads a key from inline PEM text or the path of a PEM file.
     *
     * @throws ConfigException naming {@code auth.jwt.signing_key} when it is unreadable, not
     *     PKCS#8, or neither RSA ≥ 2048 bits nor EC P-256
     */
    public static SigningKey load(String pemOrPath) {
        String pem = pemOrPath.contains("-----BEGIN") ? pemOrPath : readFile(pemOrPath.strip());
        Matcher m = PEM.matcher(pem);
        if (!m.find()) {
            throw invalid(notPkcs8(pem));
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw invalid("the PEM block is not valid base64");
        }
        try {
            return fromPrivateKey(parse(der));
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** A signing key for {@code key}: an RSA CRT key or an EC P-256 key. */
    static SigningKey fromPrivateKey(PrivateKey key) {
        try {
            if (key instanceof RSAPrivateCrtKey rsa) {
                RSAPublicKey pub = (RSAPublicKey) KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
                requireSuitable(pub);
                RSAKey jwk = new RSAKey.Builder(pub)
                        .keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.RS256)
                        .keyIDFromThumbprint()
                        .build();
                return checked(
                        new SigningKey(JWSAlgorithm.RS256, new RSASSASigner(rsa), pub, jwk), new RSASSAVerifier(pub));
            }
            if (key instanceof ECPrivateKey ec) {
                if (!PublicKeys.isP256(ec.getParams())) {
                    throw invalid("the EC key is not on P-256, the curve ES256 uses");
                }
                ECPublicKey pub = (ECPublicKey) KeyFactory.getInstance("EC")
                        .generatePublic(new ECPublicKeySpec(
                                multiply(ec.getParams().getGenerator(), ec.getS(), ec.getParams()), ec.getParams()));
                ECKey jwk = new ECKey.Builder(Curve.P_256, pub)
                        .keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.ES256)
                        .keyIDFromThumbprint()
                        .build();
                return checked(
                        new SigningKey(JWSAlgorithm.ES256, new ECDSASigner(ec), pub, jwk), new ECDSAVerifier(pub));
            }
        } catch (GeneralSecurityException | JOSEException e) {
            throw invalid("the key cannot be used for " + (key instanceof ECPrivateKey ? "ES256" : "RS256"));
        }
        throw invalid(
                key.getAlgorithm().equals("RSA")
                        ? "the RSA key lacks its CRT parameters (public exponent); export it in full PKCS#8"
                        : "expected an RSA (RS256) or EC P-256 (ES256) private key");
    }

    public JWSAlgorithm algorithm() {
        return algorithm;
    }

    /** The {@code kid} of every JWT this key signs: the RFC 7638 SHA-256 thumbprint of the public key. */
    public String keyId() {
        return publicJwk.getKeyID();
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public JWK ({@code kty}, {@code use}, {@code alg}, {@code kid} and the public parameters only). */
    public JWK publicJwk() {
        return publicJwk;
    }

    /** The compact JWS of {@code claims}, with {@code alg}, {@code kid} and {@code typ: JWT} in the header. */
    public String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(algorithm)
                        .keyID(keyId())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a JWT with " + this + ": " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    @Override
    public String toString() {
        return "SigningKey[" + algorithm + ", kid=" + keyId() + "]";
    }

    private static String readFile(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException | InvalidPathException e) {
            // The value is not echoed: a pasted key without its PEM armour would land in the log.
            throw invalid("cannot read the PEM file it names; give a file path or inline PEM starting with "
                    + "'-----BEGIN PRIVATE KEY-----'");
        }
    }

    private static String notPkcs8(String pem) {
        if (pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            return "expected PKCS#8 ('-----BEGIN PRIVATE KEY-----'), got a traditional key; convert it with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem'";
        }
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            return "encrypted keys are not supported; decrypt it with 'openssl pkcs8 -in key.pem -out key.pk8.pem'";
        }
        if (pem.contains("-----BEGIN PUBLIC KEY-----")) {
            return "expected a private key, got a public key (public keys go in auth.jwt.public_keys)";
        }
        return "expected a PEM block '-----BEGIN PRIVATE KEY-----' (PKCS#8), inline or in a file";
    }

    private static PrivateKey parse(byte[] der) {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw invalid("the PEM block is neither an RSA nor an EC private key");
    }

    private static void requireSuitable(PublicKey key) {
        String unsuitable = PublicKeys.unsuitable(key);
        if (unsuitable != null) {
            throw invalid(unsuitable.replace("an RSA key", "the RSA key"));
        }
    }

    /** Signs and verifies once, so a key the JDK or Nimbus cannot use fails at start, not at the first login. */
    private static SigningKey checked(SigningKey key, JWSVerifier verifier) throws JOSEException {
        JWSObject probe = new JWSObject(new JWSHeader(key.algorithm), new Payload("gatehouse"));
        probe.sign(key.signer);
        if (!probe.verify(verifier)) {
            throw invalid("the public key derived from it does not verify its signatures");
        }
        return key;
    }

    private static ConfigException invalid(String why) {
        return new ConfigException("invalid value for " + KEY + ": " + why);
    }

    /*
     * The public point of an EC private key is d·G. PKCS#8 files need not carry it, and the JDK
     * offers no public API to compute it, so this does affine double-and-add. It runs once at
     * start on the operator's own key, so its timing is not observable by anyone.
     */
    static ECPoint multiply(ECPoint point, BigInteger k, ECParameterSpec params) {
        ECPoint result = ECPoint.POINT_INFINITY;
        ECPoint addend = point;
        for (int i = 0; i < k.bitLength(); i++) {
            if (k.testBit(i)) {
                result = add(result, addend, params);
            }
            addend = add(addend, addend, params);
        }
        return result;
    }

    private static ECPoint add(ECPoint p, ECPoint q, ECParameterSpec params) {
        if (p.equals(ECPoint.POINT_INFINITY)) {
            return q;
        }
        if (q.equals(ECPoint.POINT_INFINITY)) {
            return p;
        }
        BigInteger m = ((ECFieldFp) params.getCurve().getField()).getP();
        BigInteger x1 = p.getAffineX();
        BigInteger y1 = p.getAffineY();
        BigInteger x2 = q.getAffineX();
        BigInteger y2 = q.getAffineY();
        BigInteger lambda;
        if (x1.equals(x2)) {
            if (y1.add(y2).mod(m).signum() == 0) {
                return ECPoint.POINT_INFINITY;
            }
            BigInteger a = params.getCurve().getA();
            lambda = x1.pow(2)
                    .multiply(BigInteger.valueOf(3))
                    .add(a)
                    .multiply(y1.shiftLeft(1).modInverse(m))
                    .mod(m);
        } else {
            lambda = y2.subtract(y1).multiply(x2.subtract(x1).modInverse(m)).mod(m);
        }
        BigInteger x3 = lambda.pow(2).subtract(x1).subtract(x2).mod(m);
        BigInteger y3 = lambda.multiply(x1.subtract(x3)).subtract(y1).mod(m);
        return new ECPoint(x3, y3);
    }
}
