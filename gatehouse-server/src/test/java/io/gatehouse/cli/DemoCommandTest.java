package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.testing.DemoProcess;
import io.gatehouse.testing.WsRecorder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse demo} (SPEC §1): in its own JVM as an operator runs it, it prints the URLs and
 * credentials, publishes to {@code news}, makes a task for {@code demo}, lets {@code demo} / {@code
 * demo} log in and stops with exit status 0 on SIGTERM; {@code --profile prod} is refused. Prints
 * how long after the {@code listening} line the first publication and the first task exist.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    @Test
    void demoInItsOwnJvmPrintsTheLinesPublishesMakesATaskAndExitsZeroOnSigterm() throws Exception {
        DemoProcess demo = DemoProcess.start(dir.resolve("data"), dir.resolve("first.err"));
        try {
            List<String> lines = demo.lines();
            String url = demo.url();
            assertThat(lines.get(0)).matches("created admin user 'admin' with password \\S+ \\(shown once\\)");
            assertThat(lines.get(1)).matches("listening on http://127\\.0\\.0\\.1:\\d+");
            assertThat(lines)
                    .contains(
                            "dashboard: " + url + "/",
                            "admin: log in to the dashboard as 'admin' with the password above",
                            "demo user: demo / demo (not an admin; try it on " + url + "/test)");
            assertThat(lines.get(lines.size() - 1)).startsWith("demo: publishing to 'news' every second");

            // demo / demo logs in, and mints a token with its session
            HttpResponse<String> login =
                    post(url + "/api/v1/auth/login", "{\"username\":\"demo\",\"password\":\"demo\"}");
            assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
            JsonNode session = JSON.readTree(login.body());
            assertThat(session.path("user").path("id").asText()).isEqualTo("local:demo");
            assertThat(session.path("user").path("roles")).isEmpty();
            String cookie = cookies(login);
            HttpResponse<String> minted = post(
                    url + "/api/v1/tokens",
                    "{}",
                    "Cookie",
                    cookie,
                    "X-CSRF-Token",
                    session.path("csrf_token").asText());
            assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
            String token = JSON.readTree(minted.body()).path("token").asText();

            // the first publication to news, read back from the channel's history
            URI ws = URI.create(url.replaceFirst("^http", "ws") + "/ws");
            try (WsRecorder client = WsRecorder.connect(ws, "Authorization", "Bearer " + token)) {
                client.awaitEstablished();
                client.send("{\"type\":\"history\",\"channel\":\"news\",\"limit\":100}");
                JsonNode history = client.awaitType("history");
                JsonNode first = history.path("publications").get(0);
                assertThat(first.path("offset").asLong()).isEqualTo(1);
                assertThat(first.path("data").path("n").asLong()).isEqualTo(1);
                Instant firstNews = Instant.parse(first.path("data").path("at").asText());

                // then it keeps coming: three more, one after the other
                client.send("{\"type\":\"subscribe\",\"channel\":\"news\"}");
                List<Long> numbers = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (numbers.size() < 3 && System.nanoTime() < deadline) {
                    JsonNode m = client.pollMessage(Duration.ofSeconds(1));
                    if (m != null && m.path("type").asText().equals("message")) {
                        numbers.add(m.path("data").path("n").asLong());
                    }
                }
                assertThat(numbers).hasSize(3);
                assertThat(numbers.get(2) - numbers.get(0)).isEqualTo(2);

                // a task of demo exists
                HttpResponse<String> tasks = HTTP.send(
                        HttpRequest.newBuilder(URI.create(url + "/api/v1/tasks"))
                                .header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(tasks.statusCode()).isEqualTo(200);
                JsonNode list = JSON.readTree(tasks.body()).path("tasks");
                assertThat(list).isNotEmpty();
                JsonNode task = list.get(list.size() - 1); // newest first: the last is the first task
                assertThat(task.path("owner").asText()).isEqualTo("local:demo");
                assertThat(task.path("kind").asText()).isEqualTo("demo");
                Instant firstTask = Instant.parse(task.path("created_at").asText());

                System.out.printf(
                        "demo timing: 'listening' line read at %s; first news publication %+d ms after it,"
                                + " first demo task %+d ms after it%n",
                        demo.listeningReadAt(),
                        Duration.between(demo.listeningReadAt(), firstNews).toMillis(),
                        Duration.between(demo.listeningReadAt(), firstTask).toMillis());
            }

            demo.stop();
        } finally {
            demo.close();
        }

        // A second start on the same data directory creates nothing and says so.
        DemoProcess again = DemoProcess.start(dir.resolve("data"), dir.resolve("second.err"));
        try {
            assertThat(again.lines()).noneMatch(l -> l.startsWith("created admin user"));
            assertThat(again.lines())
                    .contains("admin: 'admin' exists already; its password was printed when it was created"
                            + " (gatehouse user add NAME --admin adds another)")
                    .contains("demo user: demo / demo (not an admin; try it on " + again.url() + "/test)");
            again.stop();
        } finally {
            again.close();
        }
    }

    @Test
    void demoWithProfileProdIsRefusedBeforeAnythingStarts() throws IOException {
        Path data = dir.resolve("data");

        Result flag = run("demo", "--profile", "prod", "--port", "0", "--data-dir", data.toString());

        assertThat(flag.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(flag.err())
                .startsWith("error: demo refuses profile prod (flag --profile): it adds the user demo with the"
                        + " password demo")
                .contains("run serve for production");
        assertThat(flag.out()).doesNotContain("listening");

        Path yaml = Files.writeString(dir.resolve("gatehouse.yaml"), "profile: PROD\n");
        Result file = run("demo", "--config", yaml.toString(), "--port", "0", "--data-dir", data.toString());

        assertThat(file.exit()).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(file.err()).startsWith("error: demo refuses profile prod (config file " + yaml + ")");
        assertThat(Files.exists(data)).as("nothing is created").isFalse();
    }

    @Test
    void demoHelpNamesWhatItAddsAndTakesServesOptions() {
        Result help = run("demo", "--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .contains("--port=PORT", "--host=HOST", "--data-dir=DIR", "--config=FILE", "--profile=PROFILE")
                .contains(
                        "user demo with the password demo",
                        "news every second",
                        "every 30 s",
                        "--profile prod is refused");
        assertThat(run("--help").out()).contains("demo");
    }

    private static HttpResponse<String> post(String url, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code name=value} pairs of the Set-Cookie headers, as a Cookie header. */
    private static String cookies(HttpResponse<?> r) {
        return String.join(
                "; ",
                r.headers().allValues("Set-Cookie").stream()
                        .map(c -> c.split(";", 2)[0])
                        .toList());
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GatehouseCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }
}
