package io.gatehouse.tools;

import io.gatehouse.bench.BenchClient;
import io.gatehouse.bench.BenchProtocol;
import io.gatehouse.bench.BenchResult;
import io.gatehouse.bench.BenchSetup;
import io.gatehouse.bench.BenchTarget;
import io.gatehouse.bench.ProcessMemory;
import io.gatehouse.bench.ProgressLine;
import io.gatehouse.bench.TokenSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options every bench scenario takes, and the run itself: checks, client, summary, JSON, exit status. */
final class BenchOptions {
    static final String SECRET_VARIABLE = "GATEHOUSE_AUTH_JWT_SECRET";

    @Option(
            names = "--url",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:8080",
            description = "The server: http://HOST:PORT on loopback (WebSocket at /ws, or /socket.io/ with --protocol"
                    + " socketio; publish at /api/v1/publish)."
                    + " Default: ${DEFAULT-VALUE}")
    String url;

    @Option(
            names = "--secret",
            paramLabel = "SECRET",
            description = "HS256 secret to mint one JWT per connection (sub bench-N, expiring in an hour)."
                    + " Default: $" + SECRET_VARIABLE)
    String secret;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "One token for every connection instead of minted JWTs (the server must then allow that"
                    + " many connections of one credential).")
    String token;

    @Option(
            names = "--pid",
            paramLabel = "PID",
            description = "The server's process id: adds its RSS (and, for a JVM, live heap) and CPU to the report.")
    Long pid;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON to FILE.")
    Path json;

    @Option(
            names = "--source-addresses",
            paramLabel = "N",
            defaultValue = "16",
            description = "Spread connections over 127.0.0.2 ... 127.0.0.(N+1). Default: ${DEFAULT-VALUE}")
    int sourceAddresses;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Client event-loop threads. Default: the cores this process may use")
    int threads = Runtime.getRuntime().availableProcessors();

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    int run(int connections, BenchCommand.Scenario scenario) throws IOException, InterruptedException {
        return run(connections, BenchProtocol.GATEHOUSE, scenario);
    }

    /** Runs {@code scenario} with connections that speak {@code protocol}. */
    int run(int connections, BenchProtocol protocol, BenchCommand.Scenario scenario)
            throws IOException, InterruptedException {
        CommandLine cli = spec.commandLine();
        BenchTarget target;
        TokenSource tokens;
        try {
            target = BenchTarget.parse(url);
            tokens = tokenSource();
            if (connections < 1 || connections > BenchCommand.MAX_CONNECTIONS) {
                throw new IllegalArgumentException(
                        "the number of connections must be 1-" + BenchCommand.MAX_CONNECTIONS);
            }
            BenchClient.requireOpenFiles(connections);
            if (pid != null && !Files.isReadable(Path.of("/proc", pid.toString(), "status"))) {
                throw new IllegalArgumentException("--pid " + pid + ": no such process on this machine");
            }
            if (json != null
                    && json.toAbsolutePath().getParent() != null
                    && !Files.isDirectory(json.toAbsolutePath().getParent())) {
                throw new IllegalArgumentException("--json " + json + ": the directory does not exist");
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cli, e.getMessage());
        }
        PrintWriter out = cli.getOut();
        ProgressLine progress = ProgressLine.forConsole(cli.getErr());
        BenchResult result;
        try (BenchClient client = newClient(target, protocol)) {
            result = scenario.run(
                    new BenchSetup(target, client, tokens, pid == null ? null : new ProcessMemory(pid), progress));
        } finally {
            progress.clear();
        }
        out.print(result.summary());
        out.flush();
        if (json != null) {
            result.writeJson(json);
        }
        return result.passed() ? 0 : GatehouseTools.EXIT_FAILURE;
    }

    /**
     * Another server named by {@code option} (e.g. {@code --publish-url}), checked as {@code --url} is;
     * null when not given.
     */
    static BenchTarget otherServer(CommandSpec spec, String option, String url) {
        if (url == null) {
            return null;
        }
        try {
            return BenchTarget.parse(url);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replace("--url", option));
        }
    }

    private BenchClient newClient(BenchTarget target, BenchProtocol protocol) {
        try {
            return new BenchClient(target, protocol, sourceAddresses, threads);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private TokenSource tokenSource() {
        if (token != null && secret != null) {
            throw new IllegalArgumentException("give --secret or --token, not both");
        }
        if (token != null) {
            return TokenSource.fixed(token);
        }
        String s = secret != null ? secret : System.getenv(SECRET_VARIABLE);
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("no credentials: give --secret (the server's auth.jwt.secret; default $"
                    + SECRET_VARIABLE + ") or --token");
        }
        return TokenSource.hs256(s);
    }
}
