package io.gatehouse.cli;

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
    /** The hidden flag of the nodes {@code cluster} starts. */
    static final String STOP_WITH_PARENT = "--stop-with-parent";

    @Option(
            names = STOP_WITH_PARENT,
            hidden = true,
            description = "Stops the node when the process that started it ends (cluster's nodes), even by kill -9.")
    boolean stopWithParent;

    @Mixin
    ConfigOptions config;

    @Mixin
    ListenOptions listen;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (stopWithParent) {
            // System.exit runs NodeRun's shutdown hook, which closes the node in order; no orphan node.
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        }
        return NodeRun.run(config.load(listen.flags()), spec.commandLine().getOut(), NodeRun.Addition.NONE);
    }
}
