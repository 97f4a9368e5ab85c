package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void hashIsAnArgon2idPhcStringWithOwaspParameters() {
        assertThat(hasher.hash("correct horse".toCharArray()))
                .matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    }

    @Test
    void theRightPasswordVerifiesAndAWrongOneDoesNot() {
        String encoded = hasher.hash("correct horse".toCharArray());
        assertThat(hasher.verify("correct horse".toCharArray(), encoded)).isTrue();
        assertThat(hasher.verify("correct horsf".toCharArray(), encoded)).isFalse();
        assertThat(hasher.verify("".toCharArray(), encoded)).isFalse();
    }

    @Test
    void nonAsciiAndEmptyPasswordsRoundTrip() {
        for (String password : new String[] {"pässwörd 🔑 密码", ""}) {
            assertThat(hasher.verify(password.toCharArray(), hasher.hash(password.toCharArray())))
                    .isTrue();
        }
    }

    @Test
    void hashingTheSamePasswordTwiceUsesDifferentSalts() {
        assertThat(hasher.hash("same".toCharArray())).isNotEqualTo(hasher.hash("same".toCharArray()));
    }

    @Test
    void hashingLeavesTheCallersPasswordArrayIntact() {
        char[] password = "keep me".toCharArray();
        hasher.hash(password);
        assertThat(password).containsExactly("keep me".toCharArray());
    }

    /** From the Argon2 reference implementation's tests (phc-winner-argon2, src/test.c). */
    @Test
    void verifiesAHashMadeByTheReferenceImplementationWithItsOwnParameters() {
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertThat(hasher.verify("password".toCharArray(), reference)).isTrue();
        assertThat(hasher.verify("Password".toCharArray(), reference)).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "not a hash",
                "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$t=2,m=19456,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA",
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$",
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$",
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPP",
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc==",
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc!",
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1a",
                "$argon2id$v=19$m=999999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=19456,t=999999999,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=19456,t=2,p=0$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=7,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                "$argon2id$v=19$m=99999999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
                " $argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            })
    void malformedEncodedHashesDoNotVerifyAndDoNotThrow(String encoded) {
        assertThat(hasher.verify("password".toCharArray(), encoded)).isFalse();
    }

    @Test
    void verifyDummyTakesAboutAsLongAsARealVerify() {
        String encoded = hasher.hash("correct horse".toCharArray());
        char[] guess = "wrong guess".toCharArray();
        // Interleaved, and the fastest of each kept: other work on the machine slows single runs,
        // not the cheapest one, so the minimums compare the work itself.
        long real = Long.MAX_VALUE;
        long dummy = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            real = Math.min(real, nanosToRun(() -> hasher.verify(guess, encoded)));
            dummy = Math.min(dummy, nanosToRun(() -> hasher.verifyDummy(guess)));
        }
        assertThat((double) dummy / real)
                .as(
                        "dummy %d ms, real %d ms",
                        TimeUnit.NANOSECONDS.toMillis(dummy), TimeUnit.NANOSECONDS.toMillis(real))
                .isBetween(0.5, 2.0);
    }

    private static long nanosToRun(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return System.nanoTime() - start;
    }
}
