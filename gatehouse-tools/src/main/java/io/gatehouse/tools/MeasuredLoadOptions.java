package io.gatehouse.tools;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What fanout and tasks share: the server API key their load goes through, the warm-up and the
 * measured phase, and how fast their WebSocket clients connect ({@code --connect-rate},
 * {@code --max-in-flight}).
 */
final class MeasuredLoadOptions {
    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            required = true,
            description = "Key for Authorization: apikey KEY (gatehouse apikey create --scopes publish).")
    String apiKey;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationArgument.class,
            description = "Load sent and checked but not measured. Default: ${DEFAULT-VALUE}")
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
            description = "WebSocket clients connected per second. Default: ${DEFAULT-VALUE}")
    double connectRate;

    @Option(
            names = "--max-in-flight",
            paramLabel = "M",
            defaultValue = "256",
            description = "Handshakes outstanding at most. Default: ${DEFAULT-VALUE}")
    int maxInFlight;

    void validate(CommandSpec spec) {
        BenchCommand.requirePositive(spec, connectRate, "--connect-rate");
        BenchCommand.requirePositive(spec, maxInFlight, "--max-in-flight");
        BenchCommand.requirePhase(spec, warmup, "--warmup", true);
        BenchCommand.requirePhase(spec, duration, "--duration", false);
    }
}
