package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code gatehouse demo --port 0} in its own JVM, as an operator runs it: what it printed up to its
 * last start-up line ({@code demo: ...}), its URL, and when its {@code listening on} line was read.
 * {@link #close()} kills it; {@link #stop()} ends it as an operator does (SIGTERM) and checks it
 * exited 0 with nothing alarming on stderr.
 */
public final class DemoProcess implements AutoCloseable {
    /** How long the child may take to print a line or to stop. */
    public static final Duration CHILD_LIMIT = Duration.ofSeconds(60);

    private static final Pattern ADMIN_PASSWORD =
            Pattern.compile("created admin user 'admin' with password (\\S+) \\(shown once\\)");

    private final Process process;
    private final List<String> lines;
    private final String url;
    private final Instant listeningReadAt;
    private final Path stderr;

    private DemoProcess(Process process, List<String> lines, String url, Instant listeningReadAt, Path stderr) {
        this.process = process;
        this.lines = lines;
        this.url = url;
        this.listeningReadAt = listeningReadAt;
        this.stderr = stderr;
    }

    /** Starts the demo on {@code dataDir} and reads its start-up lines; stderr goes to {@code stderr}. */
    public static DemoProcess start(Path dataDir, Path stderr) throws IOException, InterruptedException {
        Process process = ChildJvm.gatehouse("demo", "--port", "0", "--data-dir", dataDir.toString())
                .redirectError(stderr.toFile())
                .start();
        try {
            BlockingQueue<String> queue = ChildJvm.linesOf(process.getInputStream());
            List<String> lines = new ArrayList<>();
            Instant listening = null;
            String line;
            do {
                line = queue.poll(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line)
                        .as("output so far %s; stderr %s", lines, Files.readString(stderr))
                        .isNotNull();
                if (line.startsWith("listening on ")) {
                    listening = Instant.now();
                }
                lines.add(line);
            } while (!line.startsWith("demo: "));
            String url = lines.stream()
                    .filter(l -> l.startsWith("listening on "))
                    .findFirst()
                    .orElseThrow()
                    .substring("listening on ".length());
            return new DemoProcess(process, List.copyOf(lines), url, listening, stderr);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** The lines printed up to and including the first {@code demo: ...} line. */
    public List<String> lines() {
        return lines;
    }

    /** {@code http://127.0.0.1:PORT}, from the {@code listening on} line. */
    public String url() {
        return url;
    }

    /** When this JVM read the {@code listening on} line. */
    public Instant listeningReadAt() {
        return listeningReadAt;
    }

    /** The bootstrap admin's password, printed on the first start of a data directory only. */
    public Optional<String> adminPassword() {
        for (String line : lines) {
            Matcher m = ADMIN_PASSWORD.matcher(line);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /** SIGTERM; the demo must stop within {@link #CHILD_LIMIT}, exit 0, and log no exception, warning or error. */
    public void stop() throws IOException, InterruptedException {
        process.destroy();
        assertThat(process.waitFor(CHILD_LIMIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("demo stopped")
                .isTrue();
        assertThat(process.exitValue()).as(Files.readString(stderr)).isZero();
        assertThat(Files.readString(stderr))
                .as("stderr of the demo")
                .doesNotContain("Exception")
                .doesNotContain(" WARN ")
                .doesNotContain(" ERROR ");
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
