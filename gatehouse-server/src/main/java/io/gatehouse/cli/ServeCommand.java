package io.gatehouse.cli;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.GatehouseConfig;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the server.",
            "With no configuration: 127.0.0.1:8080, the embedded database and a generated HS256 secret",
            "under the data directory, the in-memory broker, and, when no user has the admin role",
            "(the first start), an admin user whose password is printed once. Prints 'listening on http://HOST:PORT' when ready.",
            "The WebSocket endpoint is /ws; the HTTP API is under /api/v1.",
            "Logs go to standard error, as JSON lines with log.format: json."
        })
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            description = "Address to listen on (server.host). Default: 127.0.0.1")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Port to listen on; 0 picks a free one (server.port). Default: 8080")
    Integer port;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<ConfigKey, Object> flags = new EnumMap<>(ConfigKey.class);
        if (host != null) {
            flags.put(ConfigKey.SERVER_HOST, host);
        }
        if (port != null) {
            flags.put(ConfigKey.SERVER_PORT, port);
        }
        GatehouseConfig cfg = config.load(flags);
        return NodeRun.run(cfg, spec.commandLine().getOut(), NodeRun.Addition.NONE);
    }
}
