package io.gatehouse.auth;

import io.gatehouse.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads RSA and EC public keys from PEM text ({@code auth.jwt.public_keys}: inline PEM or file paths). */
public final class PublicKeys {
    private static final Pattern PEM =
            Pattern.compile("-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

    static final int MIN_RSA_BITS = 2048;

    private static final ECParameterSpec P256 = p256();

    private PublicKeys() {}

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks the P-256 curve", e);
        }
    }

    public static List<PublicKey> load(List<String> entries) {
        List<PublicKey> keys = new ArrayList<>();
        for (String entry : entries) {
            String pem = entry.contains("-----BEGIN") ? entry : readFile(entry);
            Matcher m = PEM.matcher(pem);
            boolean any = false;
            while (m.find()) {
                keys.add(parse(Base64.getMimeDecoder().decode(m.group(1))));
                any = true;
            }
            if (!any) {
                throw new ConfigException("invalid value for auth.jwt.public_keys: expected PEM blocks "
                        + "'-----BEGIN PUBLIC KEY-----' (SubjectPublicKeyInfo), inline or in a file");
            }
        }
        return keys;
    }

    private static String readFile(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new ConfigException("invalid value for auth.jwt.public_keys: cannot read PEM file '" + path + "'");
        }
    }

    private static PublicKey parse(byte[] der) {
        for (String algorithm : List.of("RSA", "EC")) {
            PublicKey key;
            try {
                key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                continue; // try the next algorithm
            }
            return checked(key);
        }
        throw new ConfigException(
                "invalid value for auth.jwt.public_keys: a PEM block is neither an RSA nor an EC public key");
    }

    private static PublicKey checked(PublicKey key) {
        String unsuitable = unsuitable(key);
        if (unsuitable != null) {
            throw new ConfigException("invalid value for auth.jwt.public_keys: " + unsuitable);
        }
        return key;
    }

    /**
     * Why {@code key} cannot verify RS256 or ES256, or null when it can. RS256 keys need at least
     * 2048 bits and ES256 keys P-256: anything else would never verify, or verify weakly. Shared by
     * the configured PEM keys, the JWKS keys and the signing key.
     */
    static String unsuitable(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return bits < MIN_RSA_BITS
                    ? "an RSA key has " + bits + " bits; RS256 needs at least " + MIN_RSA_BITS
                    : null;
        }
        if (key instanceof ECPublicKey ec) {
            return isP256(ec.getParams()) ? null : "an EC key is not on P-256, the curve ES256 uses";
        }
        return "a key is neither RSA nor EC";
    }

    static boolean isP256(ECParameterSpec params) {
        return params.getOrder().equals(P256.getOrder()) && params.getCurve().equals(P256.getCurve());
    }

    /** The P-256 domain parameters (curve, generator, order). */
    static ECParameterSpec p256Parameters() {
        return P256;
    }
}
