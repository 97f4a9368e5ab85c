package io.gatehouse.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs bench/peers/node-ws/smoke.js (the same checks the Node.js peer passes) against a Python
 * peer that smoke.js starts itself: {@code PEER_START} in the peer's folder, on a free loopback
 * port with fresh secrets. The Python peers run on Debian's python3 and its python3-* packages;
 * without them, or without Node.js and npm for the smoke, the check fails with what to install.
 */
final class PythonPeerSmoke {
    static final Path PEERS = Path.of("..", "bench", "peers");
    static final Path SMOKE_DIR = PEERS.resolve("node-ws");

    private PythonPeerSmoke() {}

    /** Debian's interpreter, which sees the python3-* packages; another python3 on PATH may not. */
    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Fails, naming the Debian packages, unless python() can import every module. */
    static void requireModules(List<String> modules, String debianPackages) throws Exception {
        String script = "import " + String.join(", ", modules);
        Result r;
        try {
            r = run(List.of(python(), "-c", script), PEERS, Map.of(), 60);
        } catch (IOException e) {
            throw new AssertionError(
                    "python3 is not installed: the peer needs Debian's python3 and " + debianPackages, e);
        }
        if (r.exitCode != 0) {
            throw new AssertionError(python() + " cannot import " + String.join(", ", modules)
                    + ": install the Debian packages (apt-get install " + debianPackages + ")\n" + r.output);
        }
    }

    /** Runs the smoke against the peer started with startCommand in folder; fails on any failed check. */
    static void assertSmokePasses(String folder, String startCommand) throws Exception {
        Path dir = PEERS.resolve(folder);
        assertThat(dir).isDirectory();
        if (!Files.isDirectory(SMOKE_DIR.resolve("node_modules"))) {
            Result npm;
            try {
                npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), SMOKE_DIR, Map.of(), 180);
            } catch (IOException e) {
                throw new AssertionError("npm is not installed: the peer checks run node-ws/smoke.js", e);
            }
            assertThat(npm.exitCode).as("npm ci\n%s", npm.output).isZero();
        }
        Result smoke;
        try {
            smoke = run(
                    List.of("node", "smoke.js"),
                    SMOKE_DIR,
                    Map.of(
                            "PEER_START",
                            startCommand,
                            "PEER_DIR",
                            dir.toAbsolutePath().normalize().toString()),
                    90);
        } catch (IOException e) {
            throw new AssertionError("node is not installed: the peer checks run node-ws/smoke.js", e);
        }
        assertThat(smoke.exitCode)
                .as("node smoke.js against %s:\n%s", folder, smoke.output)
                .isZero();
        assertThat(smoke.output).containsPattern("(?m)^[1-9][0-9]* passed, 0 failed$");
    }

    record Result(int exitCode, String output) {}

    private static Result run(List<String> command, Path dir, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("python-peer", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().remove("PEER_URL");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
