package io.gatehouse.tools;

import io.gatehouse.bench.BenchTarget;
import io.gatehouse.bench.ConnectScenario;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "connect",
        mixinStandardHelpOptions = true,
        description = {
            "Handshakes per second, their latency, and server RSS per open connection.",
            "Opens W warm-up connections (each closed once established), then N at R a second, and keeps those"
                    + " open until the last has its connection_established. Latency runs from the TCP connect to"
                    + " connection_established. Fails if any handshake fails."
        })
final class BenchConnectCommand implements Callable<Integer> {
    @Mixin
    BenchOptions common;

    @Mixin
    ProtocolOption protocol;

    @Mixin
    RampOptions ramp;

    @Option(
            names = "--warmup-connections",
            paramLabel = "W",
            defaultValue = "2000",
            description = "Opened first at the same rate, each closed once established, not reported."
                    + " Default: ${DEFAULT-VALUE}")
    int warmupConnections;

    @Option(
            names = "--warmup-url",
            paramLabel = "URL",
            description = "Send the warm-up connections to this server instead (http://HOST:PORT on loopback, speaking"
                    + " the same protocol): the bench warms up, the server under load does not, and its first"
                    + " connections are what is measured. Default: the server under load")
    String warmupUrl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ramp.validate(spec);
        if (warmupConnections < 0 || warmupConnections > BenchCommand.MAX_CONNECTIONS) {
            throw new ParameterException(
                    spec.commandLine(), "--warmup-connections must be 0-" + BenchCommand.MAX_CONNECTIONS);
        }
        BenchTarget warmupTarget = BenchOptions.otherServer(spec, "--warmup-url", warmupUrl);
        return common.run(
                ramp.connections,
                protocol.value(spec),
                new ConnectScenario(new ConnectScenario.Settings(
                        ramp.connections, warmupConnections, warmupTarget, ramp.rate, ramp.maxInFlight))::run);
    }
}
