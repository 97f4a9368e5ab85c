package io.gatehouse.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tasks}: {@code owners} connections, each of its own user ({@code bench-N}); the bench
 * creates {@code tasksPerOwner} tasks for each through {@code POST /api/v1/tasks}, then one worker
 * reports progress on them ({@link ProgressWorker}: round-robin over the tasks, {@code done} rising,
 * as fast as the server answers) for {@code warmup} and then {@code duration}. Reports progress
 * calls answered per second and their answer times, and {@code task_progress} frames received
 * per second by the owners, in the measured phase. Then it checks, waiting up to
 * {@link #SETTLE_TIMEOUT}, that every task's last frame carries the last {@code done} answered (the
 * server coalesces progress, but the last state must arrive), at its owner's connection only, never
 * going backwards. Fails if not, if a call is not answered 200, or if an owner is disconnected.
 * Completes the tasks at the end (not measured), so that no later run gets them as catch-up.
 */
public final class TasksScenario {
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 10;

    public record Settings(
            int owners,
            int tasksPerOwner,
            int workerConnections,
            Duration warmup,
            Duration duration,
            double connectRate,
            int maxInFlight) {

        int tasks() {
            return owners * tasksPerOwner;
        }

        Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("owners", owners);
            out.put("tasks_per_owner", tasksPerOwner);
            out.put("worker_connections", workerConnections);
            out.put("warmup_seconds", warmup.toMillis() / 1000.0);
            out.put("duration_seconds", duration.toMillis() / 1000.0);
            out.put("connect_rate", connectRate);
            out.put("max_in_flight", maxInFlight);
            return out;
        }
    }

    private final Settings settings;
    private final String apiKey;

    public TasksScenario(Settings settings, String apiKey) {
        this.settings = settings;
        this.apiKey = apiKey;
    }

    public BenchResult run(BenchSetup setup) throws IOException, InterruptedException {
        BenchResult.Builder result = setup.begin("tasks", settings.describe());
        List<String> tokens = setup.tokens().tokens(settings.owners());
        TaskLog log = new TaskLog();
        Ramp ramp = new Ramp(setup.client(), settings.connectRate(), settings.maxInFlight(), setup.progress(), "tasks");
        try {
            ramp.run(tokens, i -> BenchConnection.taskOwner(log, i));
            Handshakes handshakes = Handshakes.of(ramp);
            if (handshakes.failed() > 0) {
                return result.problem(handshakes.failedProblem() + "; no task was created")
                        .notes(setup.notes(null))
                        .build(handshakes, null, null, null);
            }
            int[] ownerOf = new int[settings.tasks()];
            for (int t = 0; t < ownerOf.length; t++) {
                ownerOf[t] = t % settings.owners();
            }
            setup.progress().update(() -> String.format("tasks: creating %,d tasks", ownerOf.length));
            TaskApi api = new TaskApi(setup.target(), apiKey);
            List<String> ids;
            try {
                ids = api.create(ownerOf.length, t -> TokenSource.subject(ownerOf[t]));
            } catch (IOException e) {
                return result.problem("the tasks could not be created: " + e.getMessage())
                        .notes(setup.notes(null))
                        .build(handshakes, null, null, null);
            }
            try {
                return measure(setup, result, handshakes, ramp, log, ids, ownerOf);
            } finally {
                setup.progress().update(() -> "tasks: completing the tasks");
                int notCompleted = api.complete(ids);
                if (notCompleted > 0) {
                    result.note(String.format(
                            "%,d of %,d tasks could not be completed after the run: a later run's owners get"
                                    + " them as catch-up",
                            notCompleted, ids.size()));
                }
            }
        } finally {
            ramp.close();
        }
    }

    private BenchResult measure(
            BenchSetup setup,
            BenchResult.Builder result,
            Handshakes handshakes,
            Ramp ramp,
            TaskLog log,
            List<String> ids,
            int[] ownerOf)
            throws InterruptedException {
        ProgressWorker worker =
                new ProgressWorker(setup.client(), setup.target(), apiKey, ids, settings.workerConnections());
        long windowNanos;
        long measuredFrames;
        CpuUse cpu;
        try {
            if (!worker.start()) {
                return result.problem(
                                "no worker connection opened within " + Publisher.CONNECT_TIMEOUT.toSeconds() + " s")
                        .notes(setup.notes(null))
                        .build(handshakes, null, null, null);
            }
            phase(setup, worker, log, settings.warmup(), "warm-up");
            CpuSample cpuStart = CpuSample.take(setup.serverPid());
            long framesBefore = log.frames();
            long start = System.nanoTime();
            worker.measure(true);
            phase(setup, worker, log, settings.duration(), "measured");
            worker.measure(false);
            windowNanos = System.nanoTime() - start;
            measuredFrames = log.frames() - framesBefore;
            cpu = CpuSample.take(setup.serverPid()).since(cpuStart);
        } finally {
            setup.progress().update(() -> "tasks: waiting for the last answers");
            worker.stop();
        }

        long[] expected = new long[ids.size()];
        int checked = 0;
        for (int t = 0; t < expected.length; t++) {
            expected[t] = worker.answeredDone(t);
            checked += expected[t] > 0 ? 1 : 0;
        }
        long settleDeadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        int current = current(log, ids, expected);
        while (current < checked && System.nanoTime() < settleDeadline) {
            int now = current;
            setup.progress().update(() -> String.format("tasks: %,d of %,d tasks current, waiting", now, ids.size()));
            Thread.sleep(POLL_MILLIS);
            current = current(log, ids, expected);
        }
        long settleNanos = Math.max(0, System.nanoTime() - worker.lastAnswerNanos());
        TaskLog.Check check = log.check(ids, ownerOf);
        double callsPerSecond = Rate.perSecond(worker.measuredOk(), windowNanos);
        double framesPerSecond = Rate.perSecond(measuredFrames, windowNanos);
        TaskUpdates updates = new TaskUpdates(
                settings.owners(),
                ids.size(),
                settings.workerConnections(),
                windowNanos / Rate.NANOS_PER_SECOND,
                worker.answeredOk(),
                worker.measuredOk(),
                callsPerSecond,
                worker.answerTimes(),
                worker.failed(),
                worker.failures(),
                check.frames(),
                measuredFrames,
                framesPerSecond,
                callsPerSecond > 0 ? framesPerSecond / callsPerSecond : 0,
                check.otherFrames(),
                checked,
                current,
                check.wrongOwner(),
                check.backwards(),
                settleNanos / 1e6);
        problems(result, updates, ids, expected, log, ramp);
        return result.notes(setup.notes(cpu)).tasks(updates).build(handshakes, null, null, cpu);
    }

    private static void problems(
            BenchResult.Builder result, TaskUpdates u, List<String> ids, long[] expected, TaskLog log, Ramp ramp) {
        if (u.callsFailed() > 0) {
            result.problem(
                    String.format("%,d progress calls were not answered 200: %s", u.callsFailed(), u.callFailures()));
        }
        if (u.tasksCurrent() < u.tasksChecked()) {
            String example = "";
            for (int t = 0; t < ids.size(); t++) {
                if (expected[t] > 0 && log.lastDone(ids.get(t)) != expected[t]) {
                    long last = log.lastDone(ids.get(t));
                    example = String.format(
                            " (e.g. task %s: done %,d answered, %s)",
                            ids.get(t),
                            expected[t],
                            last == TaskLog.NONE ? "no frame" : String.format("last frame %,d", last));
                    break;
                }
            }
            result.problem(String.format(
                    "%,d of %,d tasks' last task_progress did not carry the last done answered within %d s%s",
                    u.tasksChecked() - u.tasksCurrent(), u.tasksChecked(), SETTLE_TIMEOUT.toSeconds(), example));
        }
        if (u.tasksWrongOwner() > 0) {
            result.problem(String.format(
                    "%,d tasks' task_progress reached a connection of another user", u.tasksWrongOwner()));
        }
        if (u.tasksBackwards() > 0) {
            result.problem(String.format("%,d tasks' task_progress frames went backwards", u.tasksBackwards()));
        }
        if (u.tasksChecked() < ids.size()) {
            result.note(String.format(
                    "%,d of %,d tasks got no progress call answered: run longer for every task to be checked",
                    ids.size() - u.tasksChecked(), ids.size()));
        }
        List<BenchConnection> dropped = ramp.dropped();
        if (!dropped.isEmpty()) {
            result.problem(String.format("%,d owners were disconnected: %s", dropped.size(), Ramp.failures(dropped)));
        }
    }

    /** How many tasks with a call answered have that call's done in their last frame. */
    private static int current(TaskLog log, List<String> ids, long[] expected) {
        int n = 0;
        for (int t = 0; t < expected.length; t++) {
            n += expected[t] > 0 && log.lastDone(ids.get(t)) == expected[t] ? 1 : 0;
        }
        return n;
    }

    /** Lets the worker run for {@code length}, showing its counts. */
    private static void phase(BenchSetup setup, ProgressWorker worker, TaskLog log, Duration length, String name)
            throws InterruptedException {
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            long left = end - System.nanoTime();
            setup.progress()
                    .update(() -> String.format(
                            "tasks: %s, %,d calls answered, %,d task_progress frames, %d s left",
                            name,
                            worker.answeredOk(),
                            log.frames(),
                            Duration.ofNanos(left).toSeconds()));
            Thread.sleep(Math.min(100, Math.max(1, Duration.ofNanos(left).toMillis())));
        }
    }
}
