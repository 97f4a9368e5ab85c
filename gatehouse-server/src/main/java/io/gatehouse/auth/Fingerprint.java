package io.gatehouse.auth;

import java.util.HexFormat;

/**
 * What logs show instead of a secret: the first 8 hex characters (32 bits) of its SHA-256, enough
 * to tell two tokens apart in a log, not enough to recover them. Only for high-entropy secrets
 * (tokens, keys): for a password, 32 bits of its hash would help an attacker test guesses.
 */
public final class Fingerprint {
    private static final int BYTES = 4;

    private Fingerprint() {}

    public static String of(String secret) {
        return HexFormat.of().formatHex(SecretToken.sha256(secret), 0, BYTES);
    }

    /**
     * The whole SHA-256 in hex: the credential id of a JWT or introspected token, which keys
     * duplicate handling and revocation and so must not collide. Never logged.
     */
    public static String credentialId(String secret) {
        return HexFormat.of().formatHex(SecretToken.sha256(secret));
    }
}
