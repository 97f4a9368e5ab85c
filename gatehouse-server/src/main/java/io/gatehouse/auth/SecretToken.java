package io.gatehouse.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A high-entropy secret with a lookup prefix: opaque access tokens ({@code ght_...}) and API keys
 * ({@code ghk_...}). The database keeps only prefix and hash; value is shown to its owner once.
 * {@link #toString()} leaves value out, so a token that reaches a log line leaks nothing.
 *
 * <p>Because the secret has 256 random bits, a fast SHA-256 is enough to store it: there is no
 * dictionary to attack, unlike passwords (see {@link PasswordHasher}).
 */
public record SecretToken(String value, String prefix, byte[] hash) {
    private static final int RANDOM_BYTES = 32; // 256 bits
    private static final int RANDOM_CHARS = 43; // RANDOM_BYTES in unpadded base64url
    /** Random characters kept in the prefix: 48 bits, enough to find one row among many. */
    private static final int PREFIX_RANDOM_CHARS = 8;

    private static final Pattern KIND = Pattern.compile("[a-z]+_");
    private static final Pattern RANDOM_PART = Pattern.compile("[A-Za-z0-9_-]{" + RANDOM_CHARS + "}");
    private static final Pattern PREFIX_RANDOM_PART = Pattern.compile("[A-Za-z0-9_-]{" + PREFIX_RANDOM_CHARS + "}");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** A new secret of the given kind, such as {@code "ght_"} or {@code "ghk_"}. */
    public static SecretToken generate(String kind) {
        if (kind == null || !KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException(
                    "A secret kind is lowercase letters and '_', like \"ght_\"; got " + kind);
        }
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        String randomPart = BASE64URL.encodeToString(random);
        String value = kind + randomPart;
        return new SecretToken(value, kind + randomPart.substring(0, PREFIX_RANDOM_CHARS), sha256(value));
    }

    /**
     * The lookup prefix of value, or empty when value is not shaped like a secret of this kind
     * (wrong kind, wrong length, characters outside base64url). Says nothing about validity: the
     * hash decides that.
     */
    public static Optional<String> prefixOf(String value, String kind) {
        if (value == null || kind == null || !value.startsWith(kind)) {
            return Optional.empty();
        }
        String randomPart = value.substring(kind.length());
        if (!RANDOM_PART.matcher(randomPart).matches()) {
            return Optional.empty();
        }
        return Optional.of(kind + randomPart.substring(0, PREFIX_RANDOM_CHARS));
    }

    /** Whether {@code value} is shaped like the lookup prefix of a secret of this kind ({@code ght_} and 8 characters). */
    public static boolean isPrefix(String value, String kind) {
        return value != null
                && kind != null
                && value.startsWith(kind)
                && PREFIX_RANDOM_PART.matcher(value.substring(kind.length())).matches();
    }

    /** SHA-256 of value's UTF-8 bytes. */
    public static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform must provide SHA-256", e);
        }
    }

    /** Whether value hashes to storedHash, compared in constant time. False for nulls. */
    public static boolean matches(String value, byte[] storedHash) {
        return value != null && storedHash != null && MessageDigest.isEqual(sha256(value), storedHash);
    }

    @Override
    public String toString() {
        return "SecretToken[" + prefix + "]";
    }
}
