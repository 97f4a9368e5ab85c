package io.gatehouse.tools;

import io.gatehouse.bench.IdleScenario;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "idle",
        mixinStandardHelpOptions = true,
        description = {
            "Server RSS and live heap per idle connection.",
            "Opens N authenticated connections and holds them for T, answering pings only. With --pid: RSS from"
                    + " /proc and, for a JVM, live heap from jcmd GC.class_histogram (which runs a full GC), before"
                    + " the first connection and at the end of the hold. Fails if a connection is lost."
        })
final class BenchIdleCommand implements Callable<Integer> {
    @Mixin
    BenchOptions common;

    @Mixin
    ProtocolOption protocol;

    @Mixin
    RampOptions ramp;

    @Option(
            names = "--hold",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationArgument.class,
            description = "Default: ${DEFAULT-VALUE}")
    Duration hold;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ramp.validate(spec);
        BenchCommand.requirePhase(spec, hold, "--hold", true);
        IdleScenario.Settings settings = new IdleScenario.Settings(ramp.connections, ramp.rate, ramp.maxInFlight, hold);
        return common.run(ramp.connections, protocol.value(spec), new IdleScenario(settings)::run);
    }
}
