package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.Gatehouse;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.testing.ChildJvm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code gatehouse} command line, run in-process through {@link GatehouseCommand#run} on a
 * temporary data directory, and in a second JVM next to a running server.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CliTest {
    /** The longest any child JVM may run; every wait on one is bounded by it. */
    private static final Duration CHILD_LIMIT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code ght_} or {@code ghk_} and 43 base64url characters (256 random bits). */
    private static final String SECRET_PATTERN = "gh[tk]_[A-Za-z0-9_-]{43}";

    @TempDir
    Path dataDir;

    @TempDir
    Path scratch;

    private Gatehouse server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    /** What one command line printed and returned. */
    record Result(int exit, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    // --- user ---

    @Test
    void userAddWithPasswordStdinAddsTheUserAndPrintsNoPassword() {
        Result r = runWithStdin("s3cret-pass\n", "user", "add", "alice", "--password-stdin");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("added user alice" + System.lineSeparator());
        assertThat(r.out() + r.err()).doesNotContain("s3cret-pass");
        assertThat(run("user", "list").out()).contains("alice");
    }

    @Test
    void userAddWithPasswordStdinAndNothingOnStdinFails() {
        Result r = runWithStdin("", "user", "add", "alice", "--password-stdin");

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(r.err()).startsWith("error: --password-stdin");
        assertThat(run("user", "list").out()).doesNotContain("alice");
    }

    @Test
    void userAddWithoutPasswordStdinPrintsAGeneratedPasswordOnce() {
        Result r = run("user", "add", "bob");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("added user bob with password [A-Za-z0-9_-]{20} \\(shown once\\)\\R");
        assertThat(run("user", "list").out()).doesNotContain("password");
    }

    @Test
    void addingAUserTwiceFailsWithExitOneAndSaysTheUserExists() {
        assertThat(runWithStdin("pw-one\n", "user", "add", "carol", "--password-stdin")
                        .exit())
                .isZero();

        Result again = runWithStdin("pw-two\n", "user", "add", "carol", "--password-stdin");

        assertThat(again.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(again.err()).isEqualTo("error: user 'carol' already exists" + System.lineSeparator());
        assertThat(again.out()).isEmpty();
    }

    @Test
    void invalidUserNameFailsAndSaysWhatANameMayHold() {
        for (String bad : List.of("bad name", "a:b", "inbox#x", "x".repeat(65))) {
            Result r = run("user", "add", bad);

            assertThat(r.exit()).as(bad).isEqualTo(GatehouseCommand.EXIT_FAILURE);
            assertThat(r.err())
                    .as(bad)
                    .contains("invalid user name '" + bad + "'")
                    .contains("letters, digits, _ - . @");
        }
        assertThat(run("user", "list").out()).isEmpty();
    }

    @Test
    void userListShowsEveryUserWithTheirRoles() {
        run("user", "add", "alice", "--admin");
        run("user", "add", "bob");

        Result r = run("user", "list");

        assertThat(r.exit()).isZero();
        assertThat(r.outLines()).hasSize(2);
        assertThat(r.outLines().get(0)).startsWith("alice").contains("admin");
        assertThat(r.outLines().get(1)).startsWith("bob").doesNotContain("admin");
    }

    @Test
    void userAddWithAdminSaysSo() {
        Result r = runWithStdin("pw\n", "user", "add", "root", "--admin", "--password-stdin");

        assertThat(r.out()).isEqualTo("added user root (admin)" + System.lineSeparator());
    }

    @Test
    void userRemoveRemovesTheUserAndFailsForAnUnknownOne() {
        run("user", "add", "alice");
        run("user", "add", "bob");

        Result removed = run("user", "remove", "alice");
        assertThat(removed.exit()).isZero();
        assertThat(removed.out()).contains("removed user alice");
        assertThat(run("user", "list").out()).doesNotContain("alice").contains("bob");

        Result again = run("user", "remove", "alice");
        assertThat(again.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(again.err()).contains("error: no user 'alice'");
    }

    // --- token ---

    @Test
    void tokenCreatePrintsOnlyTheOpaqueToken() {
        run("user", "add", "bob");

        Result r = run("token", "create", "--user", "bob");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines())
                .singleElement()
                .asString()
                .matches(SECRET_PATTERN)
                .startsWith("ght_");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void tokenCreateWithTypeJwtPrintsAJwtForTheUser() throws IOException {
        run("user", "add", "bob", "--admin");

        Result r = run("token", "create", "--user", "bob", "--type", "jwt", "--ttl", "30m", "--channels", "a,b");

        assertThat(r.exit()).as(r.err()).isZero();
        String jwt = r.outLines().get(0);
        assertThat(r.outLines()).hasSize(1);
        String[] parts = jwt.split("\\.", -1);
        assertThat(parts).hasSize(3).allSatisfy(p -> assertThat(p).isNotEmpty());
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertThat(header.path("alg").asText()).isEqualTo("HS256");
        assertThat(claims.path("sub").asText()).isEqualTo("local:bob"); // a local user's id
        assertThat(claims.path("iss").asText()).isEqualTo("gatehouse"); // the reserved issuer of minted JWTs
        assertThat(claims.path("roles").toString()).isEqualTo("[\"admin\"]");
        assertThat(claims.path("channels").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isBetween(29L * 60, 30L * 60);
    }

    @Test
    void tokenCreateKeepsAUserLimitedChannelWithSeveralUsersAsOneChannel() throws IOException {
        run("user", "add", "alice");

        Result r = run(
                "token",
                "create",
                "--user",
                "alice",
                "--type",
                "jwt",
                "--channels",
                "news,chat:room",
                "--channels",
                "dialog#alice,bob");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode claims =
                JSON.readTree(Base64.getUrlDecoder().decode(r.out().strip().split("\\.")[1]));
        assertThat(claims.path("channels").toString()).isEqualTo("[\"news\",\"chat:room\",\"dialog#alice,bob\"]");
    }

    @Test
    void tokenCreateWithAnInvalidChannelFailsAndPrintsNoToken() {
        run("user", "add", "alice");

        Result r = run("token", "create", "--user", "alice", "--channels", "news,bad channel");

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(r.err()).startsWith("error: --channels: 'bad channel' is not a channel name");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void tokenCreateWithABadTtlFailsAndPrintsNoToken() {
        run("user", "add", "bob");

        for (String ttl : List.of("1 hour", "soon", "0s", "31d")) {
            Result r = run("token", "create", "--user", "bob", "--ttl", ttl);

            assertThat(r.exit()).as(ttl).isEqualTo(GatehouseCommand.EXIT_FAILURE);
            assertThat(r.err()).as(ttl).startsWith("error: --ttl");
            assertThat(r.out()).as(ttl).isEmpty();
        }
    }

    @Test
    void tokenCreateWithAnUnknownTypeIsAUsageError() {
        run("user", "add", "bob");

        Result r = run("token", "create", "--user", "bob", "--type", "paseto");

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(r.err()).contains("--type").contains("opaque").contains("jwt");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void tokenCreateForAnUnknownUserFails() {
        Result r = run("token", "create", "--user", "nobody");

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(r.err()).contains("error: no user 'nobody'");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void tokenRevokeByPrefixSucceedsOnceThenFails() {
        run("user", "add", "bob");
        String token = run("token", "create", "--user", "bob").out().strip();
        String prefix = token.substring(0, 12);

        Result first = run("token", "revoke", prefix);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("revoked " + prefix);

        Result second = run("token", "revoke", prefix);
        assertThat(second.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(second.err()).contains("no active token with prefix " + prefix);
    }

    @Test
    void tokenRevokeOfAnUnknownPrefixFails() {
        Result r = run("token", "revoke", "ght_AAAAAAAA");

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(r.err()).contains("no active token with prefix ght_AAAAAAAA");
    }

    // --- apikey ---

    @Test
    void apikeyCreatePrintsOnlyTheKeyWithThePublishScopeByDefault() {
        Result r = run("apikey", "create", "--name", "django-backend");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines())
                .singleElement()
                .asString()
                .matches(SECRET_PATTERN)
                .startsWith("ghk_");
        String key = r.outLines().get(0);

        Result list = run("apikey", "list");
        assertThat(list.outLines())
                .singleElement()
                .asString()
                .startsWith(key.substring(0, 12))
                .contains("django-backend")
                .contains("publish")
                .doesNotContain(key)
                .doesNotContain("revoked");
    }

    @Test
    void apikeyCreateWithScopesKeepsExactlyThoseScopes() {
        assertThat(run("apikey", "create", "--name", "both", "--scopes", "publish,admin")
                        .exit())
                .isZero();
        assertThat(run("apikey", "create", "--name", "adminonly", "--scopes", "admin")
                        .exit())
                .isZero();

        List<String> lines = run("apikey", "list").outLines();

        assertThat(lines).anySatisfy(l -> assertThat(l).contains("both").contains("publish,admin"));
        assertThat(lines)
                .anySatisfy(l ->
                        assertThat(l).contains("adminonly").contains(" admin ").doesNotContain("publish"));
    }

    @Test
    void apikeyCreateAcceptsTheRevokeScopeAndItsHelpListsIt() {
        assertThat(run("apikey", "create", "--name", "django-revoker", "--scopes", "revoke")
                        .exit())
                .isZero();

        assertThat(run("apikey", "list").outLines())
                .anySatisfy(l -> assertThat(l)
                        .contains("django-revoker")
                        .contains(" revoke ")
                        .doesNotContain("publish"));
        assertThat(run("apikey", "create", "--help").out())
                .contains("publish")
                .contains("revoke")
                .contains("admin");
    }

    @Test
    void apikeyCreateStoresARepeatedScopeOnce() {
        assertThat(run("apikey", "create", "--name", "twice", "--scopes", "publish,publish")
                        .exit())
                .isZero();

        assertThat(run("apikey", "list").out()).contains(" publish ").doesNotContain("publish,publish");
    }

    @Test
    void apikeyCreateWithAnUnknownScopeFailsAndCreatesNothing() {
        Result r = run("apikey", "create", "--name", "x", "--scopes", "publish,superuser");

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(r.err()).contains("unknown scope 'superuser'").contains("publish, revoke or admin");
        assertThat(r.out()).isEmpty();
        assertThat(run("apikey", "list").out()).isEmpty();
    }

    @Test
    void apikeyRevokeMarksTheKeyRevokedOnceThenFails() {
        String key = run("apikey", "create", "--name", "x").out().strip();
        String prefix = key.substring(0, 12);

        Result first = run("apikey", "revoke", prefix);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("revoked " + prefix);
        assertThat(run("apikey", "list").out()).contains(prefix).contains("revoked");

        Result second = run("apikey", "revoke", prefix);
        assertThat(second.exit()).isEqualTo(GatehouseCommand.EXIT_FAILURE);
        assertThat(second.err()).contains("no active API key with prefix " + prefix);
    }

    // --- serve and configuration errors ---

    @Test
    void serveWithAnUnknownKeyInTheConfigFileExitsTwoNamingTheKey() throws IOException {
        Path yaml = Files.writeString(scratch.resolve("gatehouse.yaml"), "x:\n  y: 1\n");

        Result r = run("serve", "--config", yaml.toString(), "--port", "0");

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(r.err()).startsWith("error: unknown configuration key 'x.y'").contains(yaml.toString());
        assertThat(r.out()).doesNotContain("listening");
    }

    @Test
    void serveWithABadValueInTheConfigFileExitsTwoNamingTheKey() throws IOException {
        Path yaml = Files.writeString(scratch.resolve("gatehouse.yaml"), "server: {port: abc}\n");

        Result r = run("serve", "--config", yaml.toString());

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(r.err()).startsWith("error: invalid value for server.port").contains("'abc'");
    }

    @Test
    void otherCommandsCheckTheConfigFileToo() throws IOException {
        Path yaml = Files.writeString(scratch.resolve("gatehouse.yaml"), "auth: {jwt: {secret: short}}\n");

        Result r = run("token", "create", "--user", "bob", "--config", yaml.toString());

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(r.err())
                .startsWith("error: invalid value for auth.jwt.secret")
                .doesNotContain("short");
    }

    @Test
    void aMissingConfigFileExitsTwoNamingTheFile() {
        Path missing = scratch.resolve("missing.yaml");

        Result r = run("user", "list", "--config", missing.toString());

        assertThat(r.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(r.err()).contains(missing.toString());
    }

    @Test
    void unknownCommandOrOptionIsAUsageError() {
        assertThat(run("frobnicate").exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(run("user", "add", "bob", "--root").exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
    }

    @Test
    void helpListsTheCommands() {
        Result r = runRaw("--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("serve", "user", "token", "apikey");
    }

    // --- next to a running server ---

    @Test
    void cliInAnotherJvmWorksWhileAServerRunsOnTheSameDataDirectory() throws Exception {
        server = Gatehouse.start(
                ConfigLoader.load(new ConfigSources()
                        .flag(ConfigKey.DATA_DIR, dataDir, "--data-dir")
                        .flag(ConfigKey.SERVER_PORT, 0, "--port")),
                Clock.systemUTC(),
                line -> {});
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        Result added = runInChildJvm("s3cret-pass\n", "user", "add", "bob", "--password-stdin");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).contains("added user bob");

        Result token = runInChildJvm(null, "token", "create", "--user", "bob");
        assertThat(token.exit()).as(token.err()).isZero();
        assertThat(token.outLines()).singleElement().asString().matches(SECRET_PATTERN);
        String opaque = token.outLines().get(0);

        HttpResponse<String> verified = get(http, "/api/v1/auth/verify", "Bearer " + opaque);
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
        assertThat(JSON.readTree(verified.body()).path("user").path("id").asText())
                .isEqualTo("local:bob");

        Result jwt = runInChildJvm(null, "token", "create", "--user", "bob", "--type", "jwt");
        assertThat(jwt.exit()).as(jwt.err()).isZero();
        HttpResponse<String> jwtVerified =
                get(http, "/api/v1/auth/verify", "Bearer " + jwt.out().strip());
        assertThat(jwtVerified.statusCode())
                .as("a JWT signed with the shared generated secret: %s", jwtVerified.body())
                .isEqualTo(200);
        assertThat(JSON.readTree(jwtVerified.body()).path("user").path("id").asText())
                .isEqualTo("local:bob");

        Result key = runInChildJvm(null, "apikey", "create", "--name", "k");
        assertThat(key.exit()).as(key.err()).isZero();
        assertThat(key.outLines()).singleElement().asString().matches(SECRET_PATTERN);
        String apikey = key.outLines().get(0);

        HttpResponse<String> stats = get(http, "/api/v1/stats", "apikey " + apikey);
        assertThat(stats.statusCode()).as(stats.body()).isEqualTo(403);
        assertThat(JSON.readTree(stats.body()).path("code").asText()).isEqualTo("PERMISSION_DENIED");

        HttpResponse<String> published = http.send(
                HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/publish"))
                        .header("Authorization", "apikey " + apikey)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"news\",\"data\":1}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);

        Result revoked = runInChildJvm(null, "token", "revoke", opaque.substring(0, 12));
        assertThat(revoked.exit()).as(revoked.err()).isZero();

        HttpResponse<String> refused = get(http, "/api/v1/auth/verify", "Bearer " + opaque);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        assertThat(JSON.readTree(refused.body()).path("code").asText()).isEqualTo("TOKEN_REVOKED");
    }

    @Test
    void serveInItsOwnJvmPrintsTheUrlAndExitsZeroOnSigterm() throws Exception {
        Process serve = ChildJvm.gatehouse("serve", "--port", "0", "--data-dir", dataDir.toString())
                .redirectError(scratch.resolve("serve.err").toFile())
                .start();
        try {
            BlockingQueue<String> lines = ChildJvm.linesOf(serve.getInputStream());
            List<String> seen = new ArrayList<>();
            String line;
            do {
                line = lines.poll(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line)
                        .as("output so far %s; stderr %s", seen, stderrOf(scratch.resolve("serve.err")))
                        .isNotNull();
                seen.add(line);
            } while (!line.startsWith("listening on "));

            assertThat(line).matches("listening on http://127\\.0\\.0\\.1:\\d+");
            assertThat(seen.get(0)).matches("created admin user 'admin' with password \\S+ \\(shown once\\)");
            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(line.substring("listening on ".length()) + "/health"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            serve.destroy(); // SIGTERM
            assertThat(serve.waitFor(CHILD_LIMIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("serve stopped")
                    .isTrue();
            assertThat(serve.exitValue())
                    .as(stderrOf(scratch.resolve("serve.err")))
                    .isZero();
        } finally {
            serve.destroyForcibly();
        }
    }

    // --- helpers ---

    /** Runs a command in-process against {@link #dataDir}. */
    private Result run(String... args) {
        return runRaw(withDataDir(args));
    }

    private Result runWithStdin(String stdin, String... args) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return run(args);
        } finally {
            System.setIn(original);
        }
    }

    private static Result runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GatehouseCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    private String[] withDataDir(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data-dir");
        all.add(dataDir.toString());
        return all.toArray(String[]::new);
    }

    /** Runs a command in a new JVM against {@link #dataDir}, feeding it {@code stdin} if not null. */
    private Result runInChildJvm(String stdin, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "cli-", ".out");
        Path err = Files.createTempFile(scratch, "cli-", ".err");
        Process process = ChildJvm.gatehouse(withDataDir(args))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(CHILD_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("gatehouse " + String.join(" ", args) + " ran longer than " + CHILD_LIMIT
                    + "; stderr:\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private HttpResponse<String> get(HttpClient http, String path, String authorization)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path))
                        .header("Authorization", authorization)
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String stderrOf(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
