package io.gatehouse.auth;

import io.gatehouse.concurrent.Threads;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}), with OWASP's recommended minimum
 * parameters. Each hash or verify takes tens of milliseconds and 19 MiB of memory, so callers
 * run it off the event loop. Thread-safe. Password arrays belong to the caller and are not
 * cleared here.
 */
public final class PasswordHasher {
    private static final Cost CURRENT = new Cost(19_456, 2, 1); // 19 MiB, two passes, one lane
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private static final Base64.Encoder BASE64 = Base64.getEncoder().withoutPadding();

    /** Hashes stored in the past keep their own cost; verify reads it from the string. */
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,9}),t=(\\d{1,9}),p=(\\d{1,3})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");

    // Bounds on a cost read back from storage, so a corrupt or tampered row cannot make one login
    // allocate gigabytes or run for minutes. Loose enough for future parameter upgrades.
    private static final int MAX_MEMORY_KIB = 1 << 20; // 1 GiB
    private static final int MAX_ITERATIONS = 16;
    private static final int MAX_PARALLELISM = 16;
    private static final int MIN_SALT_BYTES = 8;
    private static final int MIN_HASH_BYTES = 16;
    private static final int MAX_ENCODED_BYTES = 64;

    /**
     * What verifyDummy checks against: the current cost and sizes, so it takes as long as a real
     * verify. The all-zero hash is one that no password produces in practice.
     */
    private static final String DUMMY = new Encoded(CURRENT, new byte[SALT_BYTES], new byte[HASH_BYTES]).toString();

    private final SecureRandom random = new SecureRandom();

    public String hash(char[] password) {
        Threads.assertMayBlock();
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new Encoded(CURRENT, salt, argon2id(password, CURRENT, salt, HASH_BYTES)).toString();
    }

    /**
     * Whether password matches the encoded hash. False, not an exception, when encoded is null or
     * not an Argon2id PHC string within this class's cost bounds.
     */
    public boolean verify(char[] password, String encoded) {
        Threads.assertMayBlock();
        Optional<Encoded> stored = Encoded.parse(encoded);
        if (stored.isEmpty()) {
            return false;
        }
        Encoded e = stored.get();
        byte[] computed = argon2id(password, e.cost, e.salt, e.hash.length);
        return MessageDigest.isEqual(computed, e.hash);
    }

    /**
     * Spends the time of a real {@link #verify} and returns nothing, for logins naming an unknown
     * user: answering those faster would tell an attacker which user names exist.
     */
    public void verifyDummy(char[] password) {
        verify(password, DUMMY);
    }

    private static byte[] argon2id(char[] password, Cost cost, byte[] salt, int hashBytes) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(cost.memoryKib)
                .withIterations(cost.iterations)
                .withParallelism(cost.parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] passwordBytes = utf8(password);
        try {
            byte[] hash = new byte[hashBytes];
            generator.generateBytes(passwordBytes, hash);
            return hash;
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
        }
    }

    /** UTF-8 bytes of password, leaving no copy behind but the returned one (the caller clears it). */
    private static byte[] utf8(char[] password) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }

    private record Cost(int memoryKib, int iterations, int parallelism) {
        boolean isWithinBounds() {
            return parallelism >= 1
                    && parallelism <= MAX_PARALLELISM
                    && iterations >= 1
                    && iterations <= MAX_ITERATIONS
                    // Argon2 needs at least 8 KiB per lane.
                    && memoryKib >= 8 * parallelism
                    && memoryKib <= MAX_MEMORY_KIB;
        }
    }

    /** One PHC string, parsed. */
    private record Encoded(Cost cost, byte[] salt, byte[] hash) {
        static Optional<Encoded> parse(String encoded) {
            if (encoded == null) {
                return Optional.empty();
            }
            Matcher m = PHC.matcher(encoded);
            if (!m.matches()) {
                return Optional.empty();
            }
            Cost cost =
                    new Cost(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            byte[] salt;
            byte[] hash;
            try {
                salt = Base64.getDecoder().decode(m.group(4));
                hash = Base64.getDecoder().decode(m.group(5));
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty();
            }
            if (!cost.isWithinBounds()
                    || salt.length < MIN_SALT_BYTES
                    || salt.length > MAX_ENCODED_BYTES
                    || hash.length < MIN_HASH_BYTES
                    || hash.length > MAX_ENCODED_BYTES) {
                return Optional.empty();
            }
            return Optional.of(new Encoded(cost, salt, hash));
        }

        @Override
        public String toString() {
            return "$argon2id$v=19$m=" + cost.memoryKib + ",t=" + cost.iterations + ",p=" + cost.parallelism + "$"
                    + BASE64.encodeToString(salt) + "$" + BASE64.encodeToString(hash);
        }
    }
}
