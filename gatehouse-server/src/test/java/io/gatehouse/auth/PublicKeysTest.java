package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ConfigException;
import io.gatehouse.testing.Jwts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublicKeysTest {
    @Test
    void readsInlinePemAndPemFilesOfBothKinds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ec.pem");
        Files.writeString(file, Jwts.pem(Jwts.ecKeys().getPublic()));
        var keys = PublicKeys.load(List.of(Jwts.pem(Jwts.rsaKeys().getPublic()), file.toString()));
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).isInstanceOf(RSAPublicKey.class);
        assertThat(keys.get(1)).isInstanceOf(ECPublicKey.class);
    }

    @Test
    void anRsaKeyUnder2048BitsStopsStartWithTheKeyNamed() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        assertThatThrownBy(() ->
                        PublicKeys.load(List.of(Jwts.pem(g.generateKeyPair().getPublic()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt.public_keys")
                .hasMessageContaining("2048");
    }

    @Test
    void anEcKeyOffP256StopsStart() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        assertThatThrownBy(() ->
                        PublicKeys.load(List.of(Jwts.pem(g.generateKeyPair().getPublic()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("P-256");
    }

    @Test
    void garbageAndMissingFilesStopStart() {
        assertThatThrownBy(() -> PublicKeys.load(List.of("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> PublicKeys.load(List.of("/no/such/key.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/no/such/key.pem");
    }
}
