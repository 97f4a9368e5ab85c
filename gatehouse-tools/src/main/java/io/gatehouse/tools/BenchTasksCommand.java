package io.gatehouse.tools;

import io.gatehouse.bench.TasksScenario;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "tasks",
        mixinStandardHelpOptions = true,
        description = {
            "Task progress calls per second through the HTTP API, and the task_progress frames their owners get.",
            "N owners (users bench-0 ... bench-(N-1)) connect; the bench creates their tasks (POST /api/v1/tasks),"
                    + " then one worker posts progress (POST /api/v1/tasks/{id}/progress, done rising) round-robin"
                    + " over the tasks as fast as the server answers, one call in flight on each of C keep-alive"
                    + " connections: a warm-up, then a measured phase. Fails unless every call is answered 200, no"
                    + " owner is disconnected, and each task's last task_progress carries the last done answered"
                    + " (within 5 s). Completes the tasks at the end. Needs --secret: one user per owner."
        })
final class BenchTasksCommand implements Callable<Integer> {
    /** The most tasks one run creates. */
    static final int MAX_TASKS = 100_000;

    @Mixin
    BenchOptions common;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            required = true,
            description = "Key for Authorization: apikey KEY (gatehouse apikey create --scopes publish).")
    String apiKey;

    @Option(names = "--owners", paramLabel = "N", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}")
    int owners;

    @Option(
            names = "--tasks-per-owner",
            paramLabel = "K",
            defaultValue = "1",
            description = "Default: ${DEFAULT-VALUE}")
    int tasksPerOwner;

    @Option(
            names = {"--worker-connections", "--workers-connections"},
            paramLabel = "C",
            defaultValue = "16",
            description = "Keep-alive HTTP connections the worker calls over, one call in flight on each."
                    + " Default: ${DEFAULT-VALUE}")
    int workerConnections;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationArgument.class,
            description = "Calls made but not counted. Default: ${DEFAULT-VALUE}")
    Duration warmup;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationArgument.class,
            description = "The measured phase. Default: ${DEFAULT-VALUE}")
    Duration duration;

    @Option(
            names = "--connect-rate",
            paramLabel = "R",
            defaultValue = "2000",
            description = "Owners connected per second. Default: ${DEFAULT-VALUE}")
    double connectRate;

    @Option(
            names = "--max-in-flight",
            paramLabel = "M",
            defaultValue = "256",
            description = "Owner handshakes outstanding at most. Default: ${DEFAULT-VALUE}")
    int maxInFlight;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BenchCommand.requirePositive(spec, owners, "--owners");
        BenchCommand.requirePositive(spec, tasksPerOwner, "--tasks-per-owner");
        BenchCommand.requirePositive(spec, workerConnections, "--worker-connections");
        BenchCommand.requirePositive(spec, connectRate, "--connect-rate");
        BenchCommand.requirePositive(spec, maxInFlight, "--max-in-flight");
        BenchCommand.requirePhase(spec, warmup, "--warmup", true);
        BenchCommand.requirePhase(spec, duration, "--duration", false);
        if ((long) owners * tasksPerOwner > MAX_TASKS) {
            throw new ParameterException(
                    spec.commandLine(), String.format("--owners x --tasks-per-owner must be at most %,d", MAX_TASKS));
        }
        if (common.token != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "tasks needs a user per owner: give --secret (minted JWTs, sub bench-N), not --token");
        }
        TasksScenario.Settings settings = new TasksScenario.Settings(
                owners, tasksPerOwner, workerConnections, warmup, duration, connectRate, maxInFlight);
        return common.run(owners + workerConnections, new TasksScenario(settings, apiKey)::run);
    }
}
