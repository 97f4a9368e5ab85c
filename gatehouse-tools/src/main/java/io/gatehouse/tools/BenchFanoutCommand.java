package io.gatehouse.tools;

import io.gatehouse.bench.BenchTarget;
import io.gatehouse.bench.FanoutScenario;
import io.gatehouse.protocol.ChannelName;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "fanout",
        mixinStandardHelpOptions = true,
        description = {
            "Deliveries per second and publish-to-deliver latency on one channel.",
            "N subscribers; P publications a second of S bytes through POST /api/v1/publish, a warm-up, then a"
                    + " measured phase. Latency runs from the publisher's clock in the payload to the subscriber's"
                    + " (HdrHistogram). Fails unless every subscriber gets every publication exactly once."
        })
final class BenchFanoutCommand implements Callable<Integer> {
    /**
     * The longest bench channel name. Bench channels are the protocol's grammar without {@code #}:
     * a user-limited channel would refuse the bench's users.
     */
    static final int MAX_CHANNEL_CHARS = 200;

    @Mixin
    BenchOptions common;

    @Mixin
    ProtocolOption protocol;

    @Mixin
    MeasuredLoadOptions load;

    @Option(names = "--subscribers", paramLabel = "N", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}")
    int subscribers;

    @Option(names = "--channel", paramLabel = "NAME", defaultValue = "bench", description = "Default: ${DEFAULT-VALUE}")
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
            names = "--publish-connections",
            paramLabel = "C",
            defaultValue = "64",
            description = "Keep-alive HTTP connections to publish over, one request in flight on each; the"
                    + " schedule waits when all are busy. Default: ${DEFAULT-VALUE}")
    int publishConnections;

    @Option(
            names = "--publish-url",
            paramLabel = "URL",
            description = "Publish through this server (another node of the same deployment, loopback)"
                    + " while the subscribers are on --url. Default: --url")
    String publishUrl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BenchCommand.requirePositive(spec, publicationsPerSecond, "--publications-per-second");
        BenchCommand.requirePositive(spec, publishConnections, "--publish-connections");
        load.validate(spec);
        if (payloadBytes < 1 || payloadBytes > 1_000_000) {
            throw new ParameterException(
                    spec.commandLine(), "--payload-bytes must be 1-1000000 (the HTTP body limit is 1 MiB)");
        }
        ChannelName channelName = ChannelName.parse(channel)
                .filter(c -> !c.isUserLimited() && c.value().length() <= MAX_CHANNEL_CHARS)
                .orElseThrow(() -> new ParameterException(
                        spec.commandLine(), "--channel must be a channel name of A-Z a-z 0-9 _ - . : @ ,"));
        long publications = Math.round(publicationsPerSecond * (load.warmup.toNanos() + load.duration.toNanos()) / 1e9);
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
                channelName,
                publicationsPerSecond,
                payloadBytes,
                load.warmup,
                load.duration,
                load.connectRate,
                load.maxInFlight,
                publishConnections);
        BenchTarget publishTarget = BenchOptions.otherServer(spec, "--publish-url", publishUrl);
        return common.run(
                subscribers, protocol.value(spec), new FanoutScenario(settings, load.apiKey, publishTarget)::run);
    }
}
