package io.gatehouse.demo;

import io.gatehouse.store.StoreException;
import io.gatehouse.store.TaskStatus;
import io.gatehouse.tasks.Tasks;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task of the demo user every {@value #EVERY_SECONDS} s, the first at once: created, then one
 * step of progress a second for {@value #STEPS} s, then completed. A cancel from its owner (the
 * page or {@code cancel_task}) ends it as cancelled at the next step, as a worker would; a task
 * still running when the demo stops is ended as cancelled.
 */
final class DemoTasks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoTasks.class);
    static final int EVERY_SECONDS = 30;
    static final int STEPS = 20;
    /** How the demo's changes are signed in a task's history ({@code by}). */
    static final String ACTOR = "demo";

    static final String KIND = "demo";

    private final Tasks tasks;
    private final String owner;
    private final ScheduledExecutorService timer = Demo.timer("tasks");
    /** Only on the timer thread (and in {@link #close} once it has ended). */
    private long tick;

    private long number;
    private String current;
    private boolean failing;

    DemoTasks(Tasks tasks, String owner) {
        this.tasks = tasks;
        this.owner = owner;
    }

    void start() {
        timer.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.SECONDS);
    }

    /** Second {@code tick}: a new task every EVERY_SECONDS, else the next step of the current one. */
    private void tick() {
        try {
            if (tick % EVERY_SECONDS == 0) {
                begin();
            } else if (current != null) {
                step(tick % EVERY_SECONDS);
            }
            failing = false;
        } catch (StoreException e) {
            if (!failing) {
                failing = true;
                LOG.warn("the demo task could not be written: {}", e.getMessage());
            }
        } finally {
            tick++;
        }
    }

    private void begin() {
        endCurrent("a newer demo task started");
        number++;
        current = tasks.create(
                        owner,
                        KIND,
                        "Demo report #" + number,
                        (long) STEPS,
                        "{\"demo\":true,\"number\":" + number + "}",
                        ACTOR)
                .id();
    }

    private void step(long done) {
        if (done >= STEPS) {
            tasks.finish(current, TaskStatus.COMPLETED, "Report ready", "{\"rows\":" + STEPS * 50 + "}", ACTOR);
            current = null;
            return;
        }
        var progress = tasks.progress(current, done, null, "Row " + done * 50 + " of " + STEPS * 50);
        if (progress.isEmpty() || progress.get().task().status().isFinished()) {
            current = null; // removed or ended by someone else
        } else if (progress.get().cancelRequested()) {
            tasks.finish(current, TaskStatus.CANCELLED, "Cancelled by its owner", null, ACTOR);
            current = null;
        }
    }

    private void endCurrent(String why) {
        if (current != null) {
            String id = current;
            current = null;
            tasks.finish(id, TaskStatus.CANCELLED, why, null, ACTOR);
        }
    }

    /** Stops the timer, then ends the task under way as cancelled (the node's tasks are still open). */
    @Override
    public void close() {
        Demo.stop(timer);
        try {
            endCurrent("The demo stopped");
        } catch (StoreException e) {
            LOG.warn("the demo task under way could not be ended: {}", e.getMessage());
        }
    }
}
