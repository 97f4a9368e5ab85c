package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --profile prod} on the command line: unsafe settings stop every command with exit status 2 and the keys to fix. */
class ProdProfileCliTest {

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    @Test
    void serveWithProfileProdAndUnsafeSettingsExitsTwoListingEveryKeyToFix() throws IOException {
        Path yaml = Files.writeString(dir.resolve("gatehouse.yaml"), """
                auth:
                  jwt:
                    jwks_url: https://login.example.com/.well-known/jwks.json
                """);

        Result r = run(
                "serve",
                "--profile",
                "prod",
                "--config",
                yaml.toString(),
                "--port",
                "0",
                "--data-dir",
                dir.resolve("data").toString());

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        List<String> lines = r.err().lines().toList();
        assertThat(lines.get(0))
                .isEqualTo("error: profile prod (flag --profile) refuses 6 unsafe settings;"
                        + " fix each key below, or use profile dev on a development machine:");
        assertThat(lines.subList(1, lines.size()))
                .map(l -> l.strip().split(" ")[0])
                .containsExactly(
                        "auth.jwt.secret",
                        "server.allowed_origins",
                        "auth.allow_query_token",
                        "auth.jwt.issuer",
                        "auth.jwt.audience",
                        "server.trusted_proxies");
        assertThat(r.out()).doesNotContain("listening");
        assertThat(Files.exists(dir.resolve("data")))
                .as("nothing is created before the configuration is accepted")
                .isFalse();
    }

    @Test
    void everyCommandThatLoadsTheConfigurationTakesProfile() {
        for (List<String> command : List.of(
                List.of("user", "list"), List.of("token", "revoke", "ght_AAAAAAAA"), List.of("apikey", "list"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of(
                    "--profile", "prod", "--data-dir", dir.resolve("data").toString()));

            Result r = run(args.toArray(String[]::new));

            assertThat(r.exit()).as(String.join(" ", command)).isEqualTo(GatehouseCommand.EXIT_USAGE);
            assertThat(r.err())
                    .as(String.join(" ", command))
                    .startsWith("error: profile prod (flag --profile) refuses");
        }
    }

    @Test
    void anUnknownProfileIsAUsageErrorNamingTheFlag() {
        Result r = run(
                "user",
                "list",
                "--profile",
                "staging",
                "--data-dir",
                dir.resolve("data").toString());

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(r.err())
                .isEqualTo("error: invalid value for profile (flag --profile): 'staging': expected dev or prod"
                        + System.lineSeparator());
    }

    @Test
    void serveHelpShowsTheProfileFlag() {
        Result r = run("serve", "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--profile=PROFILE").contains("prod to refuse unsafe settings");
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GatehouseCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }
}
