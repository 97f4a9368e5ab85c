package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database is shared between the server's JVM and a second JVM (the CLI) through
 * H2's AUTO_SERVER mode, and that sharing is only reachable over loopback.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedDatabaseSharingTest {
    private static final Duration PROCESS_LIMIT = Duration.ofSeconds(90);
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    @TempDir
    Path dataDir;

    @Test
    void userAddedByAnotherProcessIsSeenByTheProcessHoldingTheDatabase() throws Exception {
        try (Database db = open()) {
            UserStore users = new UserStore(db);
            assertThat(runCliStandIn("add", "alice")).isZero();
            assertThat(users.find("alice")).get().extracting(UserRecord::roles).isEqualTo(List.of("admin"));
        }
    }

    @Test
    void userAddedByTheProcessHoldingTheDatabaseIsSeenByAnotherProcess() throws Exception {
        try (Database db = open()) {
            UserStore users = new UserStore(db);
            users.add(new UserRecord("bob", List.of("viewer"), "$argon2id$placeholder", Instant.now()));
            assertThat(runCliStandIn("find", "bob")).isZero();
            assertThat(runCliStandIn("find", "nobody")).isEqualTo(CliStandIn.NOT_DONE);
            assertThat(runCliStandIn("add", "bob")).as("bob already exists").isEqualTo(CliStandIn.NOT_DONE);
        }
    }

    @Test
    void anotherProcessCanUseTheDatabaseAfterTheFirstOneClosesIt() throws Exception {
        open().close();
        assertThat(runCliStandIn("add", "carol")).isZero();
        try (Database db = open()) {
            assertThat(new UserStore(db).find("carol")).isPresent();
        }
    }

    @Test
    void theAutoServerListensOnLoopbackOnly() throws Exception {
        try (Database db = open()) {
            String server = lockFileProperty("server");
            String host = server.substring(0, server.lastIndexOf(':'));
            int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
            assertThat(InetAddress.getByName(host).isLoopbackAddress())
                    .as("advertised host %s", host)
                    .isTrue();

            try (Socket loopback = new Socket()) {
                loopback.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MILLIS);
            }
            for (InetAddress address : nonLoopbackAddresses()) {
                assertThatThrownBy(() -> {
                            try (Socket outside = new Socket()) {
                                outside.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
                            }
                        })
                        .as("connecting to the AUTO_SERVER port via %s", address)
                        .isInstanceOf(IOException.class);
            }
        }
    }

    private Database open() {
        return Database.open(Database.embeddedUrl(dataDir), CliStandIn.DB_USER, CliStandIn.DB_PASSWORD, 2);
    }

    /** Runs CliStandIn in a new JVM and returns its exit code; fails the test if it overruns. */
    private int runCliStandIn(String command, String userId) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dataDir, "cli-" + command + "-", ".log");
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CliStandIn.class.getName(),
                        dataDir.toString(),
                        command,
                        userId)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(PROCESS_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("CliStandIn " + command + " " + userId + " ran longer than " + PROCESS_LIMIT
                    + "; its output:\n" + Files.readString(output));
        }
        int exit = process.exitValue();
        if (exit != 0 && exit != CliStandIn.NOT_DONE) {
            throw new AssertionError("CliStandIn " + command + " " + userId + " failed with exit code " + exit
                    + "; its output:\n" + Files.readString(output));
        }
        return exit;
    }

    private String lockFileProperty(String name) throws IOException {
        Properties lock = new Properties();
        try (Reader reader = Files.newBufferedReader(dataDir.resolve("gatehouse.lock.db"))) {
            lock.load(reader);
        }
        String value = lock.getProperty(name);
        assertThat(value).as("property %s of the H2 lock file", name).isNotNull();
        return value;
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                        addresses.add(address);
                    }
                }
            }
        }
        return addresses;
    }
}
