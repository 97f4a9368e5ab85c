package io.gatehouse.tools;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** How connect and idle open their connections: {@code --connections}, {@code --rate} and {@code --max-in-flight}. */
final class RampOptions {
    @Option(names = "--connections", paramLabel = "N", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}")
    int connections;

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

    /** Checks the rate and the bound; {@link BenchOptions#run} checks the number of connections. */
    void validate(CommandSpec spec) {
        BenchCommand.requirePositive(spec, rate, "--rate");
        BenchCommand.requirePositive(spec, maxInFlight, "--max-in-flight");
    }
}
