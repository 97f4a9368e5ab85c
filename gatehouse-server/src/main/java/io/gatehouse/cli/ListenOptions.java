package io.gatehouse.cli;

import io.gatehouse.config.ConfigKey;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --host} and {@code --port}, shared by the commands that run a node ({@code serve}, {@code demo}). */
final class ListenOptions {
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

    /** The keys these flags set. */
    Map<ConfigKey, Object> flags() {
        Map<ConfigKey, Object> flags = new EnumMap<>(ConfigKey.class);
        if (host != null) {
            flags.put(ConfigKey.SERVER_HOST, host);
        }
        if (port != null) {
            flags.put(ConfigKey.SERVER_PORT, port);
        }
        return flags;
    }
}
