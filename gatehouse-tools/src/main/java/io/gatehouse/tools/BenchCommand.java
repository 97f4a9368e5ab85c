package io.gatehouse.tools;

import io.gatehouse.bench.BenchResult;
import io.gatehouse.bench.BenchSetup;
import java.io.IOException;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse bench connect|fanout|idle|tasks|hooks}: load for docs/benchmarks.md against a server on
 * this machine (Gatehouse, or a peer that speaks the same protocol). Exit 0 when the run passed
 * its own checks, 1 when it did not (lost or duplicated deliveries, failed handshakes, dropped
 * connections), 2 on a usage error. Each scenario is a subcommand of its own; the options they
 * all take, and the run itself, are {@link BenchOptions}.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Puts load on a WebSocket server on this machine and measures it.",
            "The server is Gatehouse, or a peer that speaks its protocol (?token= HS256 JWT, connection_established,"
                    + " subscribe, POST /api/v1/publish; tasks and hooks need Gatehouse's task API and webhooks). Every"
                    + " run sends only to loopback and stops by itself.",
            "Exit status: 0 passed, 1 the run failed its own checks, 2 usage error."
        },
        subcommands = {
            BenchConnectCommand.class,
            BenchFanoutCommand.class,
            BenchIdleCommand.class,
            BenchTasksCommand.class,
            BenchHooksCommand.class,
            BenchChurnCommand.class
        })
final class BenchCommand implements Runnable {
    /** The longest hold, warm-up or measured phase a run may ask for, so that every run ends. */
    static final Duration MAX_PHASE = Duration.ofHours(1);
    /** The most connections one run may open, whatever the open-file limit allows. */
    static final int MAX_CONNECTIONS = 1_000_000;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing scenario: connect, fanout, idle, tasks or hooks");
    }

    /** A scenario, once the common options have been checked. */
    @FunctionalInterface
    interface Scenario {
        BenchResult run(BenchSetup setup) throws IOException, InterruptedException;
    }

    static void requirePositive(CommandSpec spec, double value, String option) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ParameterException(spec.commandLine(), option + " must be a positive number");
        }
    }

    static void requirePhase(CommandSpec spec, Duration value, String option, boolean zeroAllowed) {
        if (value.isNegative() || (!zeroAllowed && value.isZero()) || value.compareTo(MAX_PHASE) > 0) {
            throw new ParameterException(
                    spec.commandLine(),
                    option + " must be " + (zeroAllowed ? "0" : "more than 0") + " to " + MAX_PHASE.toMinutes() + "m");
        }
    }
}
