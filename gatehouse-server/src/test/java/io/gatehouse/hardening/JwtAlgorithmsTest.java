package io.gatehouse.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.cli.GatehouseCommand;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 point 8: {@code auth.jwt.algorithms} turns HS256 off for a deployment that verifies only asymmetric tokens. */
class JwtAlgorithmsTest {
    static final KeyPair RSA = Jwts.rsaKeys();

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with("auth.jwt.public_keys", List.of(Jwts.pem(RSA.getPublic())))
            .with("auth.jwt.algorithms", List.of("RS256", "ES256"));

    @TempDir
    Path tmp;

    @Test
    void anHs256TokenIsRefusedWhenHs256IsOffAndAnRs256OneAccepted() {
        String hs = Jwts.hs256For("mallory"); // signed with the server's own auth.jwt.secret
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + hs)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
        TestGatehouse.Reply r = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + hs);
        assertThat(r.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
        assertThat(r.body().path("hint").asText())
                .contains("auth.jwt.algorithms")
                .contains("HS256");

        String rs = Jwts.rs256(Jwts.claims("alice"), RSA);
        try (WsRecorder ws = server.connectWith(rs)) {
            assertThat(ws.established().path("user").path("id").asText()).isEqualTo("alice");
        }
    }

    @Test
    void byDefaultHs256IsAccepted() {
        assertThat(ConfigLoader.defaults().auth().jwt().algorithms())
                .containsExactlyInAnyOrder("HS256", "RS256", "ES256");
    }

    @Test
    void unknownAlgorithmsAndAnEmptyListAreRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(
                        new ConfigSources().environment(Map.of("GATEHOUSE_AUTH_JWT_ALGORITHMS", "none"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt.algorithms");
        assertThatThrownBy(() -> ConfigLoader.load(
                        new ConfigSources().environment(Map.of("GATEHOUSE_AUTH_JWT_ALGORITHMS", "HS512"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt.algorithms");
        assertThatThrownBy(() -> ConfigLoader.load(
                        new ConfigSources().environment(Map.of("GATEHOUSE_AUTH_JWT_ALGORITHMS", " "))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt.algorithms");
    }

    @Test
    void tokenCreateTypeJwtFailsClearlyWithoutHs256AndWithoutASigningKey() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("gatehouse.yaml"), "auth: {jwt: {algorithms: [RS256, ES256]}}\n");
        String dataDir = tmp.resolve("data").toString();
        assertThat(run("user", "add", "bob", "--data-dir", dataDir, "--config", yaml.toString()).exit)
                .isZero();

        Result r = run(
                "token",
                "create",
                "--user",
                "bob",
                "--type",
                "jwt",
                "--data-dir",
                dataDir,
                "--config",
                yaml.toString());

        assertThat(r.exit).isNotZero();
        assertThat(r.out).isEmpty();
        assertThat(r.err).contains("auth.jwt.algorithms").contains("auth.jwt.signing_key");
        assertThat(run("token", "create", "--user", "bob", "--data-dir", dataDir, "--config", yaml.toString()).exit)
                .isZero();
    }

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GatehouseCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }
}
