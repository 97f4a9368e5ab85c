package io.gatehouse.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.auth.User;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.Hub;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.store.StoreException;
import io.gatehouse.store.TaskRecord;
import io.gatehouse.store.TaskStatus;
import io.gatehouse.store.TaskStore;
import io.gatehouse.store.WebhookEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks of this node (docs/protocol.md, "Tasks"): their live state, the pushes to their
 * owners' connections, and the database behind them. Status changes are written and pushed at
 * once; progress is kept here and flushed at most once per {@code tasks.push_interval} per task
 * (the latest state is pushed and written; earlier ones in between are coalesced away). An
 * unfinished task that was touched is cached here with its latest progress; a finished one is
 * read from the database. Each task's changes and pushes happen under that task's lock, so its
 * owner's connections see its states in order. Thread-safe; the methods that return a task may
 * block on the database.
 */
public final class Tasks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tasks.class);
    /** A cached task nobody touched for this long (and with nothing to write) is dropped from the cache. */
    private static final Duration IDLE_IN_CACHE = Duration.ofMinutes(10);

    private static final Duration LONGEST_PRUNE_PERIOD = Duration.ofHours(1);

    /** What a progress call answers: the task, and whether its owner asked to cancel it. */
    public record Progress(TaskRecord task, boolean cancelRequested) {}

    /** The webhook event of a cancel request, written with it. */
    private final TaskEvents events;

    private final TaskStore store;
    private final Hub hub;
    private final WireCodec codec;
    private final TaskJson json;
    private final Clock clock;
    private final GatehouseConfig.Tasks config;
    private final Map<String, LiveTask> live = new ConcurrentHashMap<>();
    /** Progress writes, their retries, pruning: the database. */
    private final ScheduledExecutorService database;

    private final ProgressWriteBehind writeBehind;

    public Tasks(
            TaskStore store,
            Hub hub,
            WireCodec codec,
            Clock clock,
            GatehouseConfig.Tasks config,
            ThreadFactory threads,
            TaskEvents events) {
        this.events = events;
        this.store = store;
        this.hub = hub;
        this.codec = codec;
        this.json = new TaskJson(codec.json());
        this.clock = clock;
        this.config = config;
        // Pushes on one pool, the database (progress writes, their retries, pruning) on another,
        // so that a slow database never holds a push back.
        ScheduledThreadPoolExecutor pushes = new ScheduledThreadPoolExecutor(2, threads);
        pushes.setRemoveOnCancelPolicy(true);
        ScheduledThreadPoolExecutor writes = new ScheduledThreadPoolExecutor(2, threads);
        writes.setRemoveOnCancelPolicy(true);
        this.database = writes;
        this.writeBehind =
                new ProgressWriteBehind(store, pushes, writes, config.pushInterval(), this::push, this::reread);
    }

    /** Starts the periodic pruning of finished tasks older than tasks.retention. */
    public void start() {
        long period = Math.min(config.retention().toMillis(), LONGEST_PRUNE_PERIOD.toMillis());
        database.scheduleWithFixedDelay(this::pruneQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    /** Stops the timers (the pushes and writes under way end first) and writes the progress still held back. */
    @Override
    public void close() {
        writeBehind.close(live.values());
    }

    public WireCodec codec() {
        return codec;
    }

    public TaskJson json() {
        return json;
    }

    /** Creates a running task, written and pushed at once. */
    public TaskRecord create(String owner, String kind, String title, Long total, String dataJson, String actor) {
        var now = now();
        TaskRecord t = new TaskRecord(
                TaskIds.newId(),
                owner,
                kind,
                title,
                TaskStatus.RUNNING,
                0,
                total,
                null,
                null,
                dataJson,
                now,
                now,
                null);
        store.create(t, actor);
        LiveTask lt = new LiveTask(t, System.nanoTime());
        synchronized (lt) {
            live.put(t.id(), lt);
            push(t);
        }
        return t;
    }

    /** The task as it stands now (latest progress included), or empty when there is none. */
    public Optional<TaskRecord> find(String id) {
        LiveTask lt = live.get(id);
        if (lt != null) {
            synchronized (lt) {
                if (!lt.gone) {
                    return Optional.of(lt.current);
                }
            }
        }
        return store.find(id);
    }

    /** {@link #find}, but only when {@code user} owns it or is an admin: else empty, as for a missing task. */
    public Optional<TaskRecord> findFor(String id, User user) {
        return find(id).filter(t -> mayTouch(t, user));
    }

    /** The tasks {@code q} selects, newest first, each with its latest progress. */
    public List<TaskRecord> list(TaskStore.Query q) {
        return store.list(q).stream()
                .map(t -> {
                    LiveTask lt = live.get(t.id());
                    return lt == null ? t : lt.latestOr(t);
                })
                .toList();
    }

    public TaskStore store() {
        return store;
    }

    /**
     * Progress: {@code done} (and {@code total} and {@code message} when given). A smaller done than
     * the task's is ignored; so is progress on a finished task. Empty when there is no such task.
     */
    public Optional<Progress> progress(String id, long done, Long total, String message) {
        return withLive(id, lt -> {
                    TaskRecord t = lt.current;
                    if (done >= t.done()) {
                        lt.current = t.withProgress(
                                done,
                                total != null ? total : t.total(),
                                message != null ? message : t.message(),
                                now());
                        writeBehind.changed(lt);
                    }
                    return lt.current;
                })
                .map(t -> new Progress(t, t.status() == TaskStatus.CANCEL_REQUESTED));
    }

    /**
     * Finishes the task as {@code to} (completed, failed or cancelled). A task already finished is
     * answered as it is: the first finish wins. Empty when there is no such task.
     */
    public Optional<TaskRecord> finish(String id, TaskStatus to, String message, String resultJson, String actor) {
        if (!to.isFinished()) {
            throw new IllegalArgumentException(to + " is no final status");
        }
        return withLive(id, lt -> {
            TaskRecord t = lt.current;
            long done = to == TaskStatus.COMPLETED && t.total() != null ? Math.max(t.done(), t.total()) : t.done();
            TaskRecord next = t.withStatus(to, done, message != null ? message : t.message(), resultJson, now());
            return changeStatus(lt, next, actor, List.of());
        });
    }

    /**
     * The owner ({@code user}) or an admin asks to cancel: a running task becomes cancel_requested;
     * any other is answered as it is. Empty when there is no such task or {@code user} may not touch it.
     */
    public Optional<CancelAnswer> requestCancel(String id, User user) {
        if (findFor(id, user).isEmpty()) {
            return Optional.empty();
        }
        int[] written = {0};
        boolean[] requested = {false};
        Optional<TaskRecord> answer = withLive(id, lt -> {
            TaskRecord t = lt.current;
            if (t.status() != TaskStatus.RUNNING) {
                return t;
            }
            TaskRecord next = t.withStatus(TaskStatus.CANCEL_REQUESTED, t.done(), t.message(), null, now());
            List<WebhookEvent> event = events.cancelRequested(next);
            TaskRecord stored = changeStatus(lt, next, "user:" + user.id(), event);
            if (stored == next) { // not when another node changed the task first: then nothing was written
                written[0] = event.size();
                requested[0] = true;
            }
            return stored;
        });
        if (written[0] > 0) {
            events.written(written[0]); // outside the task's lock
        }
        return answer.map(t -> new CancelAnswer(t, requested[0]));
    }

    /**
     * Sends {@code c} one task_progress per unfinished task of its user, each as it stands now.
     *
     * @throws StoreException when the database cannot be read
     */
    public void sendUnfinished(Connection c) {
        for (TaskRecord t : store.unfinishedOf(c.principal().user().id())) {
            LiveTask lt = cached(t);
            synchronized (lt) {
                // A task that finished meanwhile was pushed to c already: it was registered.
                if (!lt.gone) {
                    c.send(frame(null, lt.current));
                }
            }
        }
    }

    /** Deletes tasks finished more than tasks.retention ago, and forgets idle cached tasks; how many were deleted. */
    public int prune() {
        long now = System.nanoTime();
        for (Map.Entry<String, LiveTask> e : live.entrySet()) {
            LiveTask lt = e.getValue();
            synchronized (lt) {
                if (ProgressWriteBehind.idle(lt) && now - lt.lastTouchedNanos > IDLE_IN_CACHE.toNanos()) {
                    lt.gone = true;
                    live.remove(e.getKey(), lt);
                }
            }
        }
        return store.deleteFinishedBefore(clock.instant().minus(config.retention()));
    }

    private void pruneQuietly() {
        try {
            int deleted = prune();
            if (deleted > 0) {
                LOG.info("Pruned {} tasks finished more than tasks.retention ago", deleted);
            }
        } catch (RuntimeException e) {
            LOG.warn("Pruning finished tasks failed; will try again: {}", e.getMessage());
        }
    }

    /** Now, to the microsecond: what the database keeps, so an answer and a later read agree. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static boolean mayTouch(TaskRecord t, User user) {
        return t.owner().equals(user.id()) || user.isAdmin();
    }

    /**
     * Runs {@code change} on the cached task under its lock; a finished task is answered as stored
     * without {@code change}. Empty when there is no such task.
     */
    private Optional<TaskRecord> withLive(String id, Function<LiveTask, TaskRecord> change) {
        while (true) {
            LiveTask lt = live.get(id);
            if (lt == null) {
                Optional<TaskRecord> stored = store.find(id);
                if (stored.isEmpty() || stored.get().status().isFinished()) {
                    return stored;
                }
                lt = cached(stored.get());
            }
            synchronized (lt) {
                if (lt.gone) {
                    continue;
                }
                lt.lastTouchedNanos = System.nanoTime();
                return Optional.of(change.apply(lt));
            }
        }
    }

    /** The cache entry of unfinished task {@code t}, made from it if there is none. */
    private LiveTask cached(TaskRecord t) {
        boolean[] made = {false};
        LiveTask lt = live.computeIfAbsent(t.id(), k -> {
            made[0] = true;
            return new LiveTask(t, System.nanoTime());
        });
        if (made[0] && lt.settle(store.find(t.id()).orElse(null))) { // t may be older than the row
            live.remove(t.id(), lt);
        }
        return lt;
    }

    /**
     * Under lt's lock: writes next (a status change) at once, with {@code events} in its transaction,
     * and pushes it; a final one leaves the cache. When another node changed the task first, the
     * events are not written.
     */
    private TaskRecord changeStatus(LiveTask lt, TaskRecord next, String actor, List<WebhookEvent> events) {
        TaskRecord before = lt.current;
        if (!store.changeStatus(next, before.status(), actor, events)) {
            // Someone else changed it in the database (another node). A finish still wins over an
            // unfinished state (the worker's word is the last); anything else takes what is there.
            TaskRecord stored = store.find(before.id()).orElse(before);
            boolean finishes = next.status().isFinished() && !stored.status().isFinished();
            next = finishes && store.changeStatus(next, stored.status(), actor) ? next : stored;
        }
        lt.current = next;
        ProgressWriteBehind.statusWritten(lt);
        if (next.status().isFinished()) {
            lt.gone = true;
            live.remove(next.id(), lt);
        }
        push(next);
        return next;
    }

    /**
     * On a writer: lt's row did not take its progress, as another node changed the task (asked to
     * cancel or finished it) or wrote further progress. Takes that from the row, so that the next
     * progress answer and push tell it; a task finished elsewhere leaves the cache.
     */
    private void reread(LiveTask lt) {
        int statusChanges;
        String id;
        synchronized (lt) {
            statusChanges = lt.statusChanges;
            id = lt.current.id();
        }
        try {
            TaskRecord row = store.find(id).orElse(null);
            synchronized (lt) {
                if (!lt.takeNewer(row, statusChanges)) {
                    return;
                }
                if (lt.gone) {
                    live.remove(id, lt);
                    Optional.ofNullable(row).ifPresent(this::push);
                } else {
                    writeBehind.changed(lt); // pushes and writes it
                }
            }
        } catch (StoreException e) {
            // the next write of the task tries again
        }
    }

    /** Sends t to every connection of its owner, on whichever node ({@link Hub#pushTask}). */
    private void push(TaskRecord t) {
        hub.pushTask(t.owner(), json.of(t).toString());
    }

    /** The task_progress frame of {@code t}, replying to {@code requestId} (or null). */
    public EncodedMessage frame(JsonNode requestId, TaskRecord t) {
        return codec.encode(new ServerMessage.TaskProgress(requestId, json.of(t)));
    }
}
