package io.gatehouse.cli;

import io.gatehouse.broker.BrokerUnreachableException;
import io.gatehouse.config.ConfigException;
import io.gatehouse.store.StoreException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gatehouse} command line: the server and the tools that manage its data directory.
 * The client tools {@code probe} and {@code bench} are gatehouse-tools' own command line.
 */
@Command(
        name = "gatehouse",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A real-time WebSocket gateway that gets authentication right.",
        subcommands = {
            ServeCommand.class,
            DemoCommand.class,
            ClusterCommand.class,
            UserCommand.class,
            TokenCommand.class,
            ApiKeyCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Client tools (./gatehouse runs gatehouse-tools.jar for them):",
            "  probe   Checks any WebSocket endpoint's authentication.",
            "  bench   Puts load on a WebSocket server on this machine and measures it."
        })
public final class GatehouseCommand implements Runnable {
    /** Exit status for a configuration or usage error. */
    static final int EXIT_USAGE = 2;
    /** Exit status for a command that could not do its job. */
    static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new GatehouseCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof ConfigException) {
                err.println("error: " + e.getMessage());
                return EXIT_USAGE;
            }
            if (e instanceof CommandFailure || e instanceof BrokerUnreachableException) {
                err.println("error: " + e.getMessage());
                return EXIT_FAILURE;
            }
            if (e instanceof StoreException || e instanceof UncheckedIOException) {
                // "Could not connect to the database ..." alone does not say what to fix; the cause does.
                err.println("error: " + e.getMessage() + rootCause(e));
                return EXIT_FAILURE;
            }
            err.println("error: " + e);
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    /** {@code " (InnermostCause: its message)"}, or empty when there is no cause. */
    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == e) {
            return "";
        }
        return " (" + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage())
                + ")";
    }
}
