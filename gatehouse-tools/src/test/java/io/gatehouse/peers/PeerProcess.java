package io.gatehouse.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark peer under bench/peers/, run as the process its README starts, on a free loopback
 * port ({@code PEER_PORT=0}): its address is read from its {@code peer listening on URL} line.
 * Closing it ends the process. Fails, not skips, when the command is not installed.
 */
final class PeerProcess implements AutoCloseable {
    static final Path PEERS = Path.of("..", "bench", "peers");
    static final String SECRET = "peer-test-secret-that-is-at-least-32-bytes";
    static final String API_KEY = "peer-test-api-key";

    private static final Pattern LISTENING = Pattern.compile("peer listening on (http://\\S+)");

    private final Process process;
    private final String url;
    private final StringBuilder output = new StringBuilder();

    private PeerProcess(Path dir, List<String> command) throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("PEER_HOST", "127.0.0.1");
        env.put("PEER_PORT", "0");
        env.put("PEER_JWT_SECRET", SECRET);
        env.put("PEER_API_KEY", API_KEY);
        process = start(builder);
        CompletableFuture<String> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            listening.completeExceptionally(new AssertionError(command + " ended without listening:\n" + output()));
        });
        reader.setDaemon(true);
        reader.start();
        try {
            url = listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not listen within 60 s:\n" + output(), e);
        }
    }

    /** {@code node server.js} of bench/peers/NAME, after {@code npm ci} when its node_modules is missing. */
    static PeerProcess node(String name) throws Exception {
        Path dir = PEERS.resolve(name);
        npmCi(dir);
        return new PeerProcess(dir, List.of("node", "server.js"));
    }

    /**
     * bench/peers/netty/NettyPeer.java, run by the source launcher as its README says, on this
     * module's class path (the jar's contents: Netty with native epoll, and Jackson).
     */
    static PeerProcess netty() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new PeerProcess(
                PEERS.resolve("netty"), List.of(java, "-cp", System.getProperty("java.class.path"), "NettyPeer.java"));
    }

    static void npmCi(Path dir) throws IOException, InterruptedException {
        assertThat(dir.resolve("package-lock.json")).exists();
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            assertThat(run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), 180))
                    .as("npm ci in " + dir)
                    .isZero();
        }
    }

    /** Runs {@code command} in {@code dir}; its exit code, its output printed when not 0. */
    static int run(Path dir, List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("peer", ".log");
        Process p = start(new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()));
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

    private static Process start(ProcessBuilder builder) throws IOException {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new AssertionError(
                    builder.command().get(0) + " is not installed: the peer checks need Node.js, npm and Java", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    String url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
