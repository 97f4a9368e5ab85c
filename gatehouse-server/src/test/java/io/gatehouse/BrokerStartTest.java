package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gatehouse.broker.BrokerUnreachableException;
import io.gatehouse.cli.GatehouseCommand;
import io.gatehouse.config.ConfigKey;
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
 * A node whose {@code broker.url} names a Redis it cannot reach does not start, and does not hang:
 * it fails with one line naming {@code broker.url} (a degraded start is a later step of issue 15).
 */
class BrokerStartTest {
    /** Far above the broker's own bound (5 s per step): only a start that hangs reaches it. */
    static final Duration NO_HANG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aClosedRedisPortStopsTheStartWithOneLineNamingBrokerUrlAndNoPassword() throws IOException {
        int closed = closedPort();
        TestGatehouse node =
                new TestGatehouse().with(ConfigKey.BROKER_URL.key(), "redis://:hunter2@127.0.0.1:" + closed + "/2");

        assertThatThrownBy(node::start)
                .isInstanceOf(BrokerUnreachableException.class)
                .hasMessageStartingWith("broker.url redis://127.0.0.1:" + closed + "/2 cannot be reached (")
                .hasMessageContaining("start Redis there or correct broker.url")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aFirstStartAgainstAnUnreachableRedisCreatesNoAdminAndShowsNoPassword() throws IOException {
        TestGatehouse node = new TestGatehouse().with(ConfigKey.BROKER_URL.key(), "redis://127.0.0.1:" + closedPort());

        assertThatThrownBy(node::start).isInstanceOf(BrokerUnreachableException.class);

        assertThat(node.console()).noneMatch(line -> line.contains("created admin user"));
        assertThat(node.cli("user", "list")).isEmpty(); // no admin, no user at all
    }

    @Test
    void aRedisThatAcceptsButNeverAnswersStopsTheStartInBoundedTime() throws Exception {
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
            Throwable thrown = catchThrowable(node::start);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            System.out.println("a silent Redis failed the start after " + took.toMillis() + " ms: " + thrown);
            assertThat(thrown)
                    .isInstanceOf(BrokerUnreachableException.class)
                    .hasMessageStartingWith("broker.url redis://127.0.0.1:" + silent.getLocalPort() + "/0 ")
                    .hasMessageNotContaining("\n");
            assertThat(took).isLessThan(NO_HANG);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void serveWithAnUnreachableRedisExitsOneWithOneErrorLine() throws IOException {
        int closed = closedPort();
        Path yaml = Files.writeString(
                dir.resolve("gatehouse.yaml"),
                "data_dir: " + dir.resolve("data") + "\nserver: {port: 0}\nbroker: {url: \"redis://127.0.0.1:" + closed
                        + "\"}\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = GatehouseCommand.run(
                new String[] {"serve", "--config", yaml.toString()},
                new PrintWriter(out, true),
                new PrintWriter(err, true));

        System.out.println("serve printed: " + err.toString().strip());
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("error: broker.url redis://127.0.0.1:" + closed + "/0 cannot be reached")
                .doesNotContain("\n")
                .doesNotContain("Exception");
        assertThat(out.toString()).doesNotContain("listening").doesNotContain("created admin user");
    }

    @Test
    void anUnknownBrokerSchemeStopsTheStartAsAConfigurationError() throws IOException {
        Path yaml = Files.writeString(
                dir.resolve("gatehouse.yaml"),
                "data_dir: " + dir.resolve("data") + "\nbroker: {url: \"kafka://127.0.0.1:9092\"}\n");
        StringWriter err = new StringWriter();

        int exit = GatehouseCommand.run(
                new String[] {"serve", "--config", yaml.toString(), "--port", "0"},
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));

        assertThat(exit).isEqualTo(2);
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
