package io.gatehouse.tools;

import io.gatehouse.bench.BenchProtocol;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --protocol}, for the scenarios a Socket.IO server can run: connect, fanout and idle. */
final class ProtocolOption {
    @Option(
            names = "--protocol",
            paramLabel = "NAME",
            defaultValue = "gatehouse",
            description = "What the connections speak: gatehouse (Gatehouse's protocol on /ws, which the ws and Netty"
                    + " peers speak too) or socketio (Socket.IO over Engine.IO v4 on /socket.io/, the token in the"
                    + " CONNECT packet's auth payload; publications still go through POST /api/v1/publish)."
                    + " Default: ${DEFAULT-VALUE}")
    String protocol;

    BenchProtocol value(CommandSpec spec) {
        try {
            return BenchProtocol.parse(protocol);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
