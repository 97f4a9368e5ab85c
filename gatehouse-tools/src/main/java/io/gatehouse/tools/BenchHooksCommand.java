package io.gatehouse.tools;

import io.gatehouse.bench.HooksScenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "hooks",
        mixinStandardHelpOptions = true,
        description = {
            "Webhook events delivered per second to a receiver on this machine.",
            "Listens on http://127.0.0.1:P/hook (the server must run with hooks.url set to that URL and hooks.secret"
                    + " to --hook-secret), checks each delivery's Gatehouse-Signature (400 and counted when bad) and"
                    + " answers 204. N slots open and close connections as fast as the server lets them for the"
                    + " duration, each raising connection.opened and connection.closed; then the bench waits for"
                    + " every event. Reports events received per second from the first to the last, duplicates,"
                    + " bad signatures and the created_at → received lag. Fails if an event is missing, a"
                    + " signature is bad or a handshake fails. Needs --secret: the users are this run's own."
        })
final class BenchHooksCommand implements Callable<Integer> {
    static final String HOOK_SECRET_VARIABLE = "GATEHOUSE_HOOKS_SECRET";

    @Mixin
    BenchOptions common;

    @Option(
            names = "--hook-port",
            paramLabel = "P",
            required = true,
            description = "Port of the bench's webhook receiver on 127.0.0.1.")
    int hookPort;

    @Option(
            names = "--hook-secret",
            paramLabel = "S",
            description = "The server's hooks.secret, to check the signatures. Default: $" + HOOK_SECRET_VARIABLE)
    String hookSecret;

    @Option(
            names = "--connections",
            paramLabel = "N",
            defaultValue = "64",
            description = "Connections opened and closed at the same time. Default: ${DEFAULT-VALUE}")
    int connections;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationArgument.class,
            description = "How long connections are opened and closed. Default: ${DEFAULT-VALUE}")
    Duration duration;

    @Option(
            names = "--hook-threads",
            paramLabel = "T",
            defaultValue = "4",
            description = "Threads of the receiver. Default: ${DEFAULT-VALUE}")
    int hookThreads;

    @Option(
            names = "--drain-timeout",
            paramLabel = "DURATION",
            defaultValue = "10m",
            converter = DurationArgument.class,
            description = "The longest wait for the events after the last connection closed (it also ends after"
                    + " 30 s without any). Default: ${DEFAULT-VALUE}")
    Duration drainTimeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BenchCommand.requirePositive(spec, connections, "--connections");
        BenchCommand.requirePositive(spec, hookThreads, "--hook-threads");
        BenchCommand.requirePhase(spec, duration, "--duration", false);
        BenchCommand.requirePhase(spec, drainTimeout, "--drain-timeout", true);
        if (hookPort < 1 || hookPort > 65535) {
            throw new ParameterException(spec.commandLine(), "--hook-port must be 1-65535");
        }
        if (hookThreads > 256) {
            throw new ParameterException(spec.commandLine(), "--hook-threads must be 1-256");
        }
        String secret = hookSecret != null ? hookSecret : System.getenv(HOOK_SECRET_VARIABLE);
        if (secret == null || secret.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "no webhook secret: give --hook-secret (the server's hooks.secret; default $" + HOOK_SECRET_VARIABLE
                            + ")");
        }
        if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ParameterException(
                    spec.commandLine(), "--hook-secret must be at least 32 bytes, as hooks.secret is");
        }
        if (common.token != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "hooks needs users of its own to tell its events apart: give --secret (minted JWTs), not --token");
        }
        HooksScenario.Settings settings =
                new HooksScenario.Settings(connections, duration, hookPort, hookThreads, drainTimeout);
        return common.run(connections, new HooksScenario(settings, secret)::run);
    }
}
