package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.gatehouse.cli.GatehouseCommand;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.LogCapture;
import io.gatehouse.testing.TestGatehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose {@code broker.url} names a Redis it cannot reach starts all the same, degraded, and
 * does not hang: one WARN line names {@code broker.url} (never its password), {@code /ready} says
 * {@code degraded}, and it connects once Redis answers (DegradedRedisTest). Redis is shared by every
 * node: a node that refused to start without it would leave none to serve (issue 15). A broker.url
 * that is no Redis URL still stops the start, as a configuration error.
 */
class BrokerStartTest {
    /** Far above the broker's own bound (5 s per step): only a start that hangs reaches it. */
    static final Duration NO_HANG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aClosedRedisPortStartsDegradedWithOneWarnLineNamingBrokerUrlAndNoPassword() throws IOException {
        int closed = closedPort();
        try (LogCapture logs = new LogCapture();
                TestGatehouse node = new TestGatehouse()
                        .with(ConfigKey.BROKER_URL.key(), "redis://:hunter2@127.0.0.1:" + closed + "/2")
                        .start()) {
            List<String> warnings = logs.events().stream()
                    .filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("broker.url"))
                    .toList();
            System.out.println("a closed Redis port: " + warnings);
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0))
                    .startsWith("broker.url redis://127.0.0.1:" + closed + "/2 cannot be reached (")
                    .contains("start Redis there or correct broker.url")
                    .contains("Starting degraded")
                    .doesNotContain("hunter2")
                    .doesNotContain("\n");

            TestGatehouse.Reply ready = node.get("/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body().path("status").asText()).isEqualTo("degraded");
            assertThat(ready.body().path("unreachable").toString())
                    .isEqualTo("[\"broker.url redis://127.0.0.1:" + closed + "/2\"]")
                    .doesNotContain("hunter2");
            assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().contains("hunter2"));
        }
    }

    @Test
    void aRedisThatAcceptsButNeverAnswersDelaysTheStartBoundedlyThenStartsDegraded() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread accepter = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // never answers
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            accepter.setDaemon(true);
            accepter.start();
            TestGatehouse node =
                    new TestGatehouse().with(ConfigKey.BROKER_URL.key(), "redis://127.0.0.1:" + silent.getLocalPort());

            long start = System.nanoTime();
            try (TestGatehouse started = node.start()) {
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                System.out.println("a silent Redis: the node started degraded after " + took.toMillis() + " ms");
                assertThat(took).isLessThan(NO_HANG);
                TestGatehouse.Reply ready = started.get("/ready");
                assertThat(ready.status()).isEqualTo(200);
                assertThat(ready.body().path("status").asText()).isEqualTo("degraded");
                assertThat(ready.body().path("unreachable").toString())
                        .contains("broker.url redis://127.0.0.1:" + silent.getLocalPort() + "/0");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void anUnknownBrokerSchemeStopsTheStartAsAConfigurationError() throws IOException {
        Path yaml = Files.writeString(
                dir.resolve("gatehouse.yaml"),
                "data_dir: " + dir.resolve("data") + "\nbroker: {url: \"kafka://127.0.0.1:9092\"}\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = GatehouseCommand.run(
                new String[] {"serve", "--config", yaml.toString(), "--port", "0"},
                new PrintWriter(out, true),
                new PrintWriter(err, true));

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).doesNotContain("listening").doesNotContain("created admin user");
        assertThat(err.toString().strip())
                .startsWith("error: invalid value for broker.url (config file " + yaml + "): 'kafka://127.0.0.1:9092':"
                        + " unsupported scheme kafka:")
                .doesNotContain("\n");
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
