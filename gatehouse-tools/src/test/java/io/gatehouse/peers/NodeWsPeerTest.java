package io.gatehouse.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The benchmark peer under bench/peers/node-ws speaks the protocol the bench expects: its own
 * smoke check (node smoke.js) starts it on a free loopback port and runs 26 checks. Needs Node.js
 * and npm (CI installs them); fails, not skips, without them.
 */
class NodeWsPeerTest {
    static final Path PEER = Path.of("..", "bench", "peers", "node-ws");

    @Test
    void theNodeWsPeerPassesItsProtocolChecks() throws Exception {
        assertThat(PEER.resolve("server.js")).exists();
        if (!Files.isDirectory(PEER.resolve("node_modules"))) {
            assertThat(run(List.of("npm", "ci", "--no-audit", "--no-fund"), 180))
                    .as("npm ci")
                    .isZero();
        }
        assertThat(run(List.of("node", "smoke.js"), 60)).as("node smoke.js").isZero();
    }

    private static int run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("node-ws-peer", ".log");
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .directory(PEER.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError(command.get(0) + " is not installed: the peer checks need Node.js and npm", e);
        }
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + output);
        }
        if (p.exitValue() != 0) {
            System.out.println(output);
        }
        return p.exitValue();
    }
}
