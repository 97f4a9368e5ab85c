package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FingerprintTest {
    @Test
    void fingerprintIsTheFirstEightHexCharactersOfTheSha256() {
        // SHA-256("abc") = ba7816bf 8f01cfea ...
        assertThat(Fingerprint.of("abc")).isEqualTo("ba7816bf");
    }

    @Test
    void differentSecretsUsuallyHaveDifferentFingerprints() {
        String a = SecretToken.generate("ght_").value();
        String b = SecretToken.generate("ght_").value();
        assertThat(Fingerprint.of(a)).hasSize(8).isNotEqualTo(Fingerprint.of(b)).isEqualTo(Fingerprint.of(a));
    }
}
