package io.gatehouse.tools;

import io.gatehouse.bench.BenchClient;
import io.gatehouse.bench.BenchResult;
import io.gatehouse.bench.BenchSetup;
import io.gatehouse.bench.BenchTarget;
import io.gatehouse.bench.ConnectScenario;
import io.gatehouse.bench.FanoutScenario;
import io.gatehouse.bench.IdleScenario;
import io.gatehouse.bench.ProcessMemory;
import io.gatehouse.bench.ProgressLine;
import io.gatehouse.bench.TokenSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse bench connect|fanout|idle}: load for docs/benchmarks.md against a server on
 * this machine (Gatehouse, or a peer that speaks the same protocol). Exit 0 when the run passed
 * its own checks, 1 when it did not (lost or duplicated deliveries, failed handshakes, dropped
 * connections), 2 on a usage error.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Puts load on a WebSocket server on this machine and measures it.",
            "The server is Gatehouse, or a peer that speaks its protocol (?token= HS256 JWT, connection_established,"
                    + " subscribe, POST /api/v1/publish). Every run sends only to loopback and stops by itself.",
            "Exit status: 0 passed, 1 the run failed its own checks, 2 usage error."
        },
        subcommands = {BenchCommand.Connect.class, BenchCommand.Fanout.class, BenchCommand.Idle.class})
final class BenchCommand implements Runnable {
    /** The longest hold, warm-up or measured phase a run may ask for, so that every run ends. */
    static final Duration MAX_PHASE = Duration.ofHours(1);
    /** The most connections one run may open, whatever the open-file limit allows. */
    static final int MAX_CONNECTIONS = 1_000_000;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing scenario: connect, fanout or idle");
    }

    /** A scenario, once the common options have been checked. */
    @FunctionalInterface
    interface Scenario {
        BenchResult run(BenchSetup setup) throws IOException, InterruptedException;
    }

    /** Options every scenario takes, and the run itself: checks, client, summary, JSON, exit status. */
    static final class Common {
        static final String SECRET_VARIABLE = "GATEHOUSE_AUTH_JWT_SECRET";

        @Option(
                names = "--url",
                paramLabel = "URL",
                defaultValue = "http://127.0.0.1:8080",
                description = "The server: http://HOST:PORT on loopback (WebSocket at /ws, publish at /api/v1/publish)."
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
                description =
                        "The server's process id: adds its RSS (and, for a JVM, live heap) and CPU to the report.")
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

        int run(int connections, Scenario scenario) throws IOException, InterruptedException {
            CommandLine cli = spec.commandLine();
            BenchTarget target;
            TokenSource tokens;
            try {
                target = BenchTarget.parse(url);
                tokens = tokenSource();
                if (connections < 1 || connections > MAX_CONNECTIONS) {
                    throw new IllegalArgumentException("the number of connections must be 1-" + MAX_CONNECTIONS);
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
            try (BenchClient client = newClient(target)) {
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

        private BenchClient newClient(BenchTarget target) {
            try {
                return new BenchClient(target, sourceAddresses, threads);
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
                throw new IllegalArgumentException(
                        "no credentials: give --secret (the server's auth.jwt.secret; default $" + SECRET_VARIABLE
                                + ") or --token");
            }
            return TokenSource.hs256(s);
        }
    }

    @Command(
            name = "connect",
            mixinStandardHelpOptions = true,
            description = {
                "Handshakes per second, their latency, and server RSS per open connection.",
                "Opens W warm-up connections (each closed once established), then N at R a second, and keeps those"
                        + " open until the last has its connection_established. Latency runs from the TCP connect to"
                        + " connection_established. Fails if any handshake fails."
            })
    static final class Connect implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--connections",
                paramLabel = "N",
                defaultValue = "1000",
                description = "Default: ${DEFAULT-VALUE}")
        int connections;

        @Option(
                names = "--warmup-connections",
                paramLabel = "W",
                defaultValue = "2000",
                description = "Opened first at the same rate, each closed once established, not reported."
                        + " Default: ${DEFAULT-VALUE}")
        int warmupConnections;

        @Mixin
        RampOptions ramp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            ramp.validate(spec);
            if (warmupConnections < 0 || warmupConnections > MAX_CONNECTIONS) {
                throw new ParameterException(spec.commandLine(), "--warmup-connections must be 0-" + MAX_CONNECTIONS);
            }
            return common.run(
                    connections,
                    new ConnectScenario(new ConnectScenario.Settings(
                            connections, warmupConnections, ramp.rate, ramp.maxInFlight))::run);
        }
    }

    @Command(
            name = "fanout",
            mixinStandardHelpOptions = true,
            description = {
                "Deliveries per second and publish-to-deliver latency on one channel.",
                "N subscribers; P publications a second of S bytes through POST /api/v1/publish, a warm-up, then a"
                        + " measured phase. Latency runs from the publisher's clock in the payload to the subscriber's"
                        + " (HdrHistogram). Fails unless every subscriber gets every publication exactly once."
            })
    static final class Fanout implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--api-key",
                paramLabel = "KEY",
                required = true,
                description = "Key for Authorization: apikey KEY (gatehouse apikey create --scopes publish).")
        String apiKey;

        @Option(
                names = "--subscribers",
                paramLabel = "N",
                defaultValue = "1000",
                description = "Default: ${DEFAULT-VALUE}")
        int subscribers;

        @Option(
                names = "--channel",
                paramLabel = "NAME",
                defaultValue = "bench",
                description = "Default: ${DEFAULT-VALUE}")
        String channel;

        @Option(
                names = "--publications-per-second",
                paramLabel = "P",
                defaultValue = "10",
                description = "Default: ${DEFAULT-VALUE}")
        double publicationsPerSecond;

        @Option(
                names = "--payload-bytes",
                paramLabel = "S",
                defaultValue = "100",
                description = "Size of each publication's data JSON (at least the ~40 bytes its numbers take)."
                        + " Default: ${DEFAULT-VALUE}")
        int payloadBytes;

        @Option(
                names = "--warmup",
                paramLabel = "DURATION",
                defaultValue = "5s",
                converter = DurationArgument.class,
                description = "Publications checked but not timed. Default: ${DEFAULT-VALUE}")
        Duration warmup;

        @Option(
                names = "--duration",
                paramLabel = "DURATION",
                defaultValue = "30s",
                converter = DurationArgument.class,
                description = "The measured phase. Default: ${DEFAULT-VALUE}")
        Duration duration;

        @Option(
                names = "--connect-rate",
                paramLabel = "R",
                defaultValue = "2000",
                description = "Subscribers connected per second. Default: ${DEFAULT-VALUE}")
        double connectRate;

        @Option(
                names = "--max-in-flight",
                paramLabel = "M",
                defaultValue = "256",
                description = "Subscriber handshakes outstanding at most. Default: ${DEFAULT-VALUE}")
        int maxInFlight;

        @Option(
                names = "--publish-connections",
                paramLabel = "C",
                defaultValue = "64",
                description = "Keep-alive HTTP connections to publish over, one request in flight on each; the"
                        + " schedule waits when all are busy. Default: ${DEFAULT-VALUE}")
        int publishConnections;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            requirePositive(spec, publicationsPerSecond, "--publications-per-second");
            requirePositive(spec, connectRate, "--connect-rate");
            requirePositive(spec, maxInFlight, "--max-in-flight");
            requirePositive(spec, publishConnections, "--publish-connections");
            requirePhase(spec, warmup, "--warmup", true);
            requirePhase(spec, duration, "--duration", false);
            if (payloadBytes < 1 || payloadBytes > 1_000_000) {
                throw new ParameterException(
                        spec.commandLine(), "--payload-bytes must be 1-1000000 (the HTTP body limit is 1 MiB)");
            }
            if (!channel.matches("[A-Za-z0-9_\\-.:@,]{1,200}")) {
                throw new ParameterException(
                        spec.commandLine(), "--channel must be a channel name of A-Z a-z 0-9 _ - . : @ ,");
            }
            long publications = Math.round(publicationsPerSecond * (warmup.toNanos() + duration.toNanos()) / 1e9);
            if ((long) subscribers * publications > Integer.MAX_VALUE) {
                throw new ParameterException(
                        spec.commandLine(),
                        String.format(
                                "%,d subscribers x %,d publications is more"
                                        + " deliveries than one run tracks; shorten the run or lower the rate",
                                subscribers, publications));
            }
            FanoutScenario.Settings settings = new FanoutScenario.Settings(
                    subscribers,
                    channel,
                    publicationsPerSecond,
                    payloadBytes,
                    warmup,
                    duration,
                    connectRate,
                    maxInFlight,
                    publishConnections);
            return common.run(subscribers, new FanoutScenario(settings, apiKey)::run);
        }
    }

    @Command(
            name = "idle",
            mixinStandardHelpOptions = true,
            description = {
                "Server RSS and live heap per idle connection.",
                "Opens N authenticated connections and holds them for T, answering pings only. With --pid: RSS from"
                        + " /proc and, for a JVM, live heap from jcmd GC.class_histogram (which runs a full GC), before"
                        + " the first connection and at the end of the hold. Fails if a connection is lost."
            })
    static final class Idle implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--connections",
                paramLabel = "N",
                defaultValue = "1000",
                description = "Default: ${DEFAULT-VALUE}")
        int connections;

        @Option(
                names = "--hold",
                paramLabel = "DURATION",
                defaultValue = "30s",
                converter = DurationArgument.class,
                description = "Default: ${DEFAULT-VALUE}")
        Duration hold;

        @Mixin
        RampOptions ramp;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            ramp.validate(spec);
            requirePhase(spec, hold, "--hold", true);
            IdleScenario.Settings settings = new IdleScenario.Settings(connections, ramp.rate, ramp.maxInFlight, hold);
            return common.run(connections, new IdleScenario(settings)::run);
        }
    }

    /** How connect and idle open their connections: {@code --rate} and {@code --max-in-flight}. */
    static final class RampOptions {
        @Option(
                names = "--rate",
                paramLabel = "R",
                defaultValue = "2000",
                description = "Connections started per second. Default: ${DEFAULT-VALUE}")
        double rate;

        @Option(
                names = "--max-in-flight",
                paramLabel = "M",
                defaultValue = "256",
                description = "Handshakes outstanding at most; the ramp waits past it. Default: ${DEFAULT-VALUE}")
        int maxInFlight;

        void validate(CommandSpec spec) {
            requirePositive(spec, rate, "--rate");
            requirePositive(spec, maxInFlight, "--max-in-flight");
        }
    }

    private static void requirePositive(CommandSpec spec, double value, String option) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ParameterException(spec.commandLine(), option + " must be a positive number");
        }
    }

    private static void requirePhase(CommandSpec spec, Duration value, String option, boolean zeroAllowed) {
        if (value.isNegative() || (!zeroAllowed && value.isZero()) || value.compareTo(MAX_PHASE) > 0) {
            throw new ParameterException(
                    spec.commandLine(),
                    option + " must be " + (zeroAllowed ? "0" : "more than 0") + " to " + MAX_PHASE.toMinutes() + "m");
        }
    }
}
