package io.gatehouse.tools;

import io.gatehouse.bench.TasksScenario;
import java.io.IOException;
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

    @Mixin
    MeasuredLoadOptions load;

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BenchCommand.requirePositive(spec, owners, "--owners");
        BenchCommand.requirePositive(spec, tasksPerOwner, "--tasks-per-owner");
        BenchCommand.requirePositive(spec, workerConnections, "--worker-connections");
        load.validate(spec);
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
                owners,
                tasksPerOwner,
                workerConnections,
                load.warmup,
                load.duration,
                load.connectRate,
                load.maxInFlight);
        return common.run(owners + workerConnections, new TasksScenario(settings, load.apiKey)::run);
    }
}
