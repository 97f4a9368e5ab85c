package io.gatehouse.tools;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The client tools' command line, {@code gatehouse probe} and {@code gatehouse bench}: a jar of
 * its own (gatehouse-tools.jar) that needs no server classes, only the wire contract. The launcher
 * {@code ./gatehouse} runs it for these two commands and the server's jar for the rest.
 */
@Command(
        name = "gatehouse",
        mixinStandardHelpOptions = true,
        versionProvider = GatehouseTools.Version.class,
        description = "Client tools for WebSocket servers: probe one's authentication, put load on one and measure it.",
        subcommands = {ProbeCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class GatehouseTools implements Runnable {
    /** Exit status for a usage error. */
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
        CommandLine cli = new CommandLine(new GatehouseTools());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("error: " + e);
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GatehouseTools.class.getPackage().getImplementationVersion();
            return new String[] {"gatehouse-tools " + (v == null ? "development" : v)};
        }
    }
}
