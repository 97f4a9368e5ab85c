package io.gatehouse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own, on a free loopback port, without persistence, that the
 * test may shut down, start again on the same port, or pause: what the shared Redis on 6379 must
 * never be put through (other tests use it). Fails loudly when {@code redis-server} or
 * {@code redis-cli} is not on the PATH; never skips.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(20);

    private final int port;
    private final Path log;
    private Process server;

    private RedisProcess(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /** Starts a new {@code redis-server} on a free port and waits until it answers. */
    public static RedisProcess start() {
        try {
            RedisProcess redis = new RedisProcess(freePort(), Files.createTempFile("gatehouse-redis", ".log"));
            redis.startAgain();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT/0}. */
    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** Starts the server again on the same port (after {@link #shutdownNoSave}) and waits until it answers. */
    public synchronized void startAgain() {
        try {
            server = new ProcessBuilder(
                            "redis-server",
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--daemonize",
                            "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "redis-server could not be started; these tests need it on the PATH (apt-get install redis-server)",
                    e);
        }
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (!"PONG".equals(cliQuietly("ping"))) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("redis-server on port " + port + " did not start: " + readLog());
            }
            sleep(50);
        }
    }

    /** {@code redis-cli -p PORT shutdown nosave}, then waits until the process has ended. */
    public synchronized void shutdownNoSave() {
        cli("shutdown", "nosave");
        try {
            if (!server.waitFor(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("redis-server on port " + port + " did not shut down");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code redis-cli -p PORT ARGS...}; returns what it printed, stripped. Fails unless it exits 0. */
    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("redis-cli could not be run; these tests need it on the PATH", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String cliQuietly(String... args) {
        try {
            return cli(args);
        } catch (AssertionError e) {
            if (e.getCause() instanceof IOException) {
                throw e; // no redis-cli at all
            }
            return "";
        }
    }

    private String readLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the server (if running) and deletes its log. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.destroyForcibly();
            try {
                server.waitFor(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temporary file: left to the system
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
