package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.testing.ChildJvm;
import io.gatehouse.testing.WsRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code log.format: json}: {@code gatehouse serve} in its own JVM writes every log line to
 * standard error as one JSON object, and standard output stays plain for scripts.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JsonLogsTest {
    /** The longest the child JVM may take for any one step; every wait is bounded by it. */
    private static final Duration CHILD_LIMIT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void serveWithLogFormatJsonWritesEachLogLineAsAJsonObjectWithAMessage() throws Exception {
        Path stderr = dir.resolve("serve.err");
        ProcessBuilder builder = ChildJvm.gatehouse(
                        "serve",
                        "--port",
                        "0",
                        "--data-dir",
                        dir.resolve("data").toString())
                .redirectError(stderr.toFile());
        builder.environment().put("GATEHOUSE_LOG_FORMAT", "json");
        Process serve = builder.start();
        try {
            BlockingQueue<String> stdout = ChildJvm.linesOf(serve.getInputStream());
            List<String> printed = new ArrayList<>();
            String line;
            do {
                line = stdout.poll(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line)
                        .as("stdout so far %s; stderr %s", printed, read(stderr))
                        .isNotNull();
                printed.add(line);
            } while (!line.startsWith("listening on "));
            String url = line.substring("listening on ".length());

            // A refused upgrade, so the server's own code logs too (the access log, the origin policy).
            URI ws = URI.create(url.replace("http://", "ws://") + "/ws");
            assertThatThrownBy(
                            () -> WsRecorder.connect(ws, "Origin", "https://evil.example", "Authorization", "Bearer x")
                                    .close())
                    .isInstanceOfSatisfying(
                            WsRecorder.HandshakeRefused.class,
                            refused -> assertThat(refused.status).isEqualTo(403));

            List<JsonNode> events = awaitEvents(
                    stderr,
                    sofar -> sofar.stream()
                                    .map(e -> e.path("logger_name").asText())
                                    .distinct()
                                    .count()
                            >= 2);
            assertThat(events).anySatisfy(e -> {
                assertThat(e.path("message").asText()).isEqualTo("listening on " + url + " (profile dev)");
                assertThat(e.path("level").asText()).isEqualTo("INFO");
                assertThat(e.path("@timestamp").asText()).isNotBlank();
            });
            assertThat(printed).allSatisfy(p -> assertThat(p).doesNotStartWith("{"));

            serve.destroy(); // SIGTERM
            assertThat(serve.waitFor(CHILD_LIMIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("serve stopped")
                    .isTrue();
            assertThat(serve.exitValue()).as(read(stderr)).isZero();
            assertThat(parse(read(stderr)))
                    .as("every line, up to exit, is a JSON object")
                    .isNotEmpty();
        } finally {
            serve.destroyForcibly();
        }
    }

    /** Polls {@code file} until its lines, each a JSON log event, satisfy {@code done}; bounded by {@link #CHILD_LIMIT}. */
    private static List<JsonNode> awaitEvents(Path file, java.util.function.Predicate<List<JsonNode>> done)
            throws Exception {
        long deadline = System.nanoTime() + CHILD_LIMIT.toNanos();
        while (true) {
            List<JsonNode> events = parse(read(file));
            if (done.test(events)) {
                return events;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "log events never satisfied the test within " + CHILD_LIMIT + "; stderr:\n" + read(file));
            }
            Thread.sleep(50);
        }
    }

    /**
     * Each complete line of {@code text} as a JSON object with a text {@code message}; fails on any
     * other line. A last line without its newline is still being written and is left out.
     */
    private static List<JsonNode> parse(String text) {
        List<JsonNode> events = new ArrayList<>();
        int end = text.lastIndexOf('\n');
        for (String line : text.substring(0, end + 1).lines().toList()) {
            JsonNode event;
            try {
                event = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("stderr line is not JSON: " + line, e);
            }
            assertThat(event).as(line).isNotNull();
            assertThat(event.isObject()).as(line).isTrue();
            assertThat(event.path("message").isTextual())
                    .as("a message field in " + line)
                    .isTrue();
            events.add(event);
        }
        return events;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
