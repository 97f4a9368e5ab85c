package io.gatehouse.tools;

import io.gatehouse.bench.ChurnScenario;
import io.gatehouse.protocol.ChannelName;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "churn",
        mixinStandardHelpOptions = true,
        description = {
            "Delivery latency to held connections while others connect and disconnect.",
            "N held connections subscribe to one channel; P publications a second through POST /api/v1/publish:"
                    + " a warm-up, a quiet phase, then a churn phase in which R new connections a second connect,"
                    + " wait for connection_established and close (1000). Reports publish-to-deliver latency of"
                    + " each phase and their p99 ratio. Fails on a failed handshake, a lost or duplicated delivery"
                    + " or a dropped held connection."
        })
final class BenchChurnCommand implements Callable<Integer> {
    @Mixin
    BenchOptions common;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            required = true,
            description = "Key for Authorization: apikey KEY (gatehouse apikey create --scopes publish).")
    String apiKey;

    @Option(
            names = "--connections",
            paramLabel = "N",
            defaultValue = "10000",
            description = "Held connections, all subscribed. Default: ${DEFAULT-VALUE}")
    int connections;

    @Option(
            names = "--churn-rate",
            paramLabel = "R",
            defaultValue = "2000",
            description = "New connections a second in the churn phase. Default: ${DEFAULT-VALUE}")
    double churnRate;

    @Option(
            names = "--publications-per-second",
            paramLabel = "P",
            defaultValue = "2",
            description = "Default: ${DEFAULT-VALUE}")
    double publicationsPerSecond;

    @Option(
            names = "--payload-bytes",
            paramLabel = "S",
            defaultValue = "100",
            description = "Size of each publication's data JSON. Default: ${DEFAULT-VALUE}")
    int payloadBytes;

    @Option(names = "--channel", paramLabel = "NAME", defaultValue = "bench", description = "Default: ${DEFAULT-VALUE}")
    String channel;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationArgument.class,
            description = "Publications sent and checked but not timed, before the quiet phase."
                    + " Default: ${DEFAULT-VALUE}")
    Duration warmup;

    @Option(
            names = "--quiet",
            paramLabel = "DURATION",
            defaultValue = "20s",
            converter = DurationArgument.class,
            description = "The quiet phase: publications only. Default: ${DEFAULT-VALUE}")
    Duration quiet;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationArgument.class,
            description = "The churn phase. Default: ${DEFAULT-VALUE}")
    Duration duration;

    @Option(
            names = "--connect-rate",
            paramLabel = "R",
            defaultValue = "2000",
            description = "Held connections opened per second before the phases. Default: ${DEFAULT-VALUE}")
    double connectRate;

    @Option(
            names = "--max-in-flight",
            paramLabel = "M",
            defaultValue = "256",
            description = "Handshakes outstanding at most, when opening the held connections and in the churn."
                    + " Default: ${DEFAULT-VALUE}")
    int maxInFlight;

    @Option(
            names = "--publish-connections",
            paramLabel = "C",
            defaultValue = "4",
            description = "Keep-alive HTTP connections to publish over. Default: ${DEFAULT-VALUE}")
    int publishConnections;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (connections < 1 || connections > BenchCommand.MAX_CONNECTIONS) {
            throw new ParameterException(spec.commandLine(), "--connections must be 1-" + BenchCommand.MAX_CONNECTIONS);
        }
        BenchCommand.requirePositive(spec, churnRate, "--churn-rate");
        BenchCommand.requirePositive(spec, publicationsPerSecond, "--publications-per-second");
        BenchCommand.requirePositive(spec, connectRate, "--connect-rate");
        BenchCommand.requirePositive(spec, maxInFlight, "--max-in-flight");
        BenchCommand.requirePositive(spec, publishConnections, "--publish-connections");
        BenchCommand.requirePhase(spec, warmup, "--warmup", true);
        BenchCommand.requirePhase(spec, quiet, "--quiet", false);
        BenchCommand.requirePhase(spec, duration, "--duration", false);
        if (payloadBytes < 1 || payloadBytes > 1_000_000) {
            throw new ParameterException(
                    spec.commandLine(), "--payload-bytes must be 1-1000000 (the HTTP body limit is 1 MiB)");
        }
        ChannelName channelName = ChannelName.parse(channel)
                .filter(c -> !c.isUserLimited() && c.value().length() <= BenchFanoutCommand.MAX_CHANNEL_CHARS)
                .orElseThrow(() -> new ParameterException(
                        spec.commandLine(), "--channel must be a channel name of A-Z a-z 0-9 _ - . : @ ,"));
        long publications =
                Math.round(publicationsPerSecond * (warmup.toNanos() + quiet.toNanos() + duration.toNanos()) / 1e9);
        if ((long) connections * publications > Integer.MAX_VALUE) {
            throw new ParameterException(
                    spec.commandLine(),
                    String.format(
                            "%,d connections x %,d publications is more deliveries than one run tracks",
                            connections, publications));
        }
        ChurnScenario.Settings settings = new ChurnScenario.Settings(
                connections,
                channelName,
                publicationsPerSecond,
                payloadBytes,
                warmup,
                quiet,
                duration,
                churnRate,
                connectRate,
                maxInFlight,
                publishConnections);
        // The held connections plus the churn's outstanding ones are open at once.
        return common.run(connections + maxInFlight, new ChurnScenario(settings, apiKey)::run);
    }
}
