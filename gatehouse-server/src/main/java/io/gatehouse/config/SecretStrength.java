package io.gatehouse.config;

import java.nio.charset.StandardCharsets;

/**
 * The prod profile's test of a configured secret ({@code auth.jwt.secret}, {@code metrics.token}).
 * A secret is weak when it has fewer than {@value #MIN_BYTES} bytes, fewer than
 * {@value #MIN_DISTINCT} distinct characters (a hex string has 16, base64 of 32 random bytes about
 * 35), or is a shorter piece repeated ({@code abcdabcd...}). This is no entropy measure: it catches
 * placeholders and typed-in patterns, not a well-chosen passphrase of low entropy.
 */
final class SecretStrength {
    static final int MIN_BYTES = 32;
    static final int MIN_DISTINCT = 16;

    private SecretStrength() {}

    /** Why {@code secret} is weak, in words for the operator; null when it passes. */
    static String weakness(String secret) {
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_BYTES) {
            return "shorter than " + MIN_BYTES + " bytes";
        }
        long distinct = secret.codePoints().distinct().count();
        if (distinct < MIN_DISTINCT) {
            return "only " + distinct + " distinct characters (at least " + MIN_DISTINCT
                    + " expected of a random secret)";
        }
        int period = period(secret);
        if (period < secret.length()) {
            return "a piece of " + period + " characters repeated";
        }
        return null;
    }

    /** The length of the shortest piece that {@code s} repeats whole; {@code s.length()} when none. */
    private static int period(String s) {
        int n = s.length();
        for (int p = 1; p <= n / 2; p++) {
            if (n % p == 0 && s.substring(p).equals(s.substring(0, n - p))) {
                return p;
            }
        }
        return n;
    }
}
