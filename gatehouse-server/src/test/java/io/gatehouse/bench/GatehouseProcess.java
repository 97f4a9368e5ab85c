package io.gatehouse.bench;

import io.gatehouse.testing.ChildJvm;
import io.gatehouse.testing.TestGatehouse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The server in its own JVM, started from the shaded jar as an operator runs it: configured only
 * through GATEHOUSE_* variables, with a fresh data directory, the test JWT secret and a publish API
 * key made by {@code gatehouse apikey create} on that directory before {@code serve} starts.
 */
final class GatehouseProcess implements AutoCloseable {
    private static final String LISTENING = "listening on ";
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final URI url;
    private final String apiKey;

    private GatehouseProcess(Process process, URI url, String apiKey) {
        this.process = process;
        this.url = url;
        this.apiKey = apiKey;
    }

    /** Starts {@code java -jar JAR serve} on a free loopback port; its log goes to {@code runDir/server.log}. */
    static GatehouseProcess start(Path jar, Path runDir) throws IOException, InterruptedException {
        Map<String, String> env = Map.of(
                "GATEHOUSE_DATA_DIR", runDir.resolve("data").toString(),
                "GATEHOUSE_AUTH_JWT_SECRET", TestGatehouse.SECRET,
                // Thousands of upgrades from a few loopback addresses: the per-IP limit must not shape the run.
                "GATEHOUSE_LIMITS_UPGRADES_PER_IP", "{rate: 1000000, burst: 1000000}",
                "GATEHOUSE_SERVER_HOST", "127.0.0.1",
                "GATEHOUSE_SERVER_PORT", "0");
        String apiKey = createApiKey(jar, env, runDir);
        Process process = command(jar, env, "serve")
                .redirectError(runDir.resolve("server.log").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "gatehouse-process-stop"));
        BlockingQueue<String> stdout = ChildJvm.linesOf(process.getInputStream());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (true) {
            String line = stdout.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                process.destroyForcibly();
                throw new IOException("the server did not print '" + LISTENING + "...' within " + START_TIMEOUT_SECONDS
                        + " s; see " + runDir.resolve("server.log"));
            }
            if (line.startsWith(LISTENING)) {
                URI url = URI.create(line.substring(LISTENING.length()).trim());
                if (!InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
                    process.destroyForcibly();
                    throw new IllegalStateException("benchmarks only target loopback, the server listens on " + url);
                }
                return new GatehouseProcess(process, url, apiKey);
            }
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    URI url() {
        return url;
    }

    /** A key with the publish scope, for {@code Authorization: apikey KEY}. */
    String apiKey() {
        return apiKey;
    }

    long pid() {
        return process.pid();
    }

    /** CPU time the server process has used so far, all threads. */
    Duration cpuTime() {
        return process.info().totalCpuDuration().orElseThrow();
    }

    /** The server's resident set size from /proc, in MiB. */
    long residentMebibytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024; // the line is in kB
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /** SIGTERM, which drains and exits 0; killed if that takes more than 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String createApiKey(Path jar, Map<String, String> env, Path runDir) throws IOException, InterruptedException {
        Process p = command(jar, env, "apikey", "create", "--name", "fanout-bench", "--scopes", "publish")
                .redirectError(runDir.resolve("apikey.log").toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.startsWith("ghk_")) {
            p.destroyForcibly();
            throw new IOException("gatehouse apikey create failed: '" + out + "'; see " + runDir.resolve("apikey.log"));
        }
        return out;
    }

    private static ProcessBuilder command(Path jar, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        // Only the settings above: a GATEHOUSE_* variable of the calling shell must not change the server.
        builder.environment().keySet().removeIf(name -> name.startsWith("GATEHOUSE_"));
        builder.environment().putAll(env);
        return builder;
    }
}
