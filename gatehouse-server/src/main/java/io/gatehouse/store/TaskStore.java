package io.gatehouse.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Tasks and their status history (docs/protocol.md, "Tasks"). Blocking: call from a thread that
 * may wait on the database. Instants are stored to the microsecond.
 */
public final class TaskStore {
    private static final String COLUMNS = "id, owner, kind, title, status, done, total, message, result, data,"
            + " created_at, updated_at, finished_at";
    private static final String UNFINISHED = "status IN ('running', 'cancel_requested')";

    /**
     * A listing, newest first: each filter null for any; {@code before} (or null) is the
     * {@link Cursor} after which the page starts.
     */
    public record Query(String owner, TaskStatus status, String kind, Cursor before, int limit) {}

    /** A position in a listing: the created_at and id of the last task of the previous page. */
    public record Cursor(Instant createdAt, String id) {}

    private final Database db;

    public TaskStore(Database db) {
        this.db = db;
    }

    /** Stores a new task and its first history entry, in one transaction. */
    public void create(TaskRecord t, String actor) {
        db.inTransaction("create task " + t.id(), c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO tasks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, t.id());
                s.setString(2, t.owner());
                s.setString(3, t.kind());
                s.setString(4, t.title());
                s.setString(5, t.status().wireName());
                s.setLong(6, t.done());
                setLong(s, 7, t.total());
                s.setString(8, t.message());
                s.setString(9, t.resultJson());
                s.setString(10, t.dataJson());
                Columns.setInstant(s, 11, t.createdAt());
                Columns.setInstant(s, 12, t.updatedAt());
                Columns.setInstant(s, 13, t.finishedAt());
                s.executeUpdate();
            }
            addHistory(c, t, actor);
            return null;
        });
    }

    public Optional<TaskRecord> find(String id) {
        return db.queryOne("find task " + id, "SELECT " + COLUMNS + " FROM tasks WHERE id = ?", TaskStore::read, id);
    }

    /**
     * Writes {@code next} (every changeable field) and a history entry, in one transaction, if the
     * stored task is still in status {@code expected}; false (and nothing written) if not.
     */
    public boolean changeStatus(TaskRecord next, TaskStatus expected, String actor) {
        return changeStatus(next, expected, actor, List.of());
    }

    /**
     * {@link #changeStatus(TaskRecord, TaskStatus, String)}, with {@code events} written to the
     * webhook outbox in the same transaction: all of it, or nothing (no event for a change that did
     * not happen, no change without its event).
     */
    public boolean changeStatus(TaskRecord next, TaskStatus expected, String actor, List<WebhookEvent> events) {
        return db.inTransaction("change the status of task " + next.id(), c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tasks SET status = ?, done = ?, total = ?,"
                    + " message = ?, result = ?, updated_at = ?, finished_at = ? WHERE id = ? AND status = ?")) {
                s.setString(1, next.status().wireName());
                s.setLong(2, next.done());
                setLong(s, 3, next.total());
                s.setString(4, next.message());
                s.setString(5, next.resultJson());
                Columns.setInstant(s, 6, next.updatedAt());
                Columns.setInstant(s, 7, next.finishedAt());
                s.setString(8, next.id());
                s.setString(9, expected.wireName());
                if (s.executeUpdate() != 1) {
                    return false;
                }
            }
            addHistory(c, next, actor);
            if (!events.isEmpty()) {
                WebhookStore.insert(c, events);
            }
            return true;
        });
    }

    /**
     * Writes the progress of {@code t} (done, total, message, updated_at) unless the stored task is
     * finished, further along (a greater done, or a later change: a status change written after
     * this progress was made), or in another status than {@code t} (changed by another node since
     * {@code t} was read); false if nothing was written.
     */
    public boolean saveProgress(TaskRecord t) {
        return db.run("save the progress of task " + t.id(), c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tasks SET done = ?, total = ?, message = ?,"
                    + " updated_at = ? WHERE id = ? AND done <= ? AND updated_at <= ? AND status = ? AND "
                    + UNFINISHED)) {
                s.setLong(1, t.done());
                setLong(s, 2, t.total());
                s.setString(3, t.message());
                Columns.setInstant(s, 4, t.updatedAt());
                s.setString(5, t.id());
                s.setLong(6, t.done());
                Columns.setInstant(s, 7, t.updatedAt());
                s.setString(8, t.status().wireName());
                return s.executeUpdate() == 1;
            }
        });
    }

    /** The tasks {@code q} selects, newest first (created_at, then id, both descending). */
    public List<TaskRecord> list(Query q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM tasks WHERE 1 = 1");
        List<Object> parameters = new ArrayList<>();
        if (q.owner() != null) {
            sql.append(" AND owner = ?");
            parameters.add(q.owner());
        }
        if (q.status() != null) {
            sql.append(" AND status = ?");
            parameters.add(q.status().wireName());
        }
        if (q.kind() != null) {
            sql.append(" AND kind = ?");
            parameters.add(q.kind());
        }
        if (q.before() != null) {
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            parameters.add(q.before().createdAt());
            parameters.add(q.before().createdAt());
            parameters.add(q.before().id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC FETCH FIRST ")
                .append(q.limit())
                .append(" ROWS ONLY");
        return db.query("list tasks", sql.toString(), TaskStore::read, parameters.toArray());
    }

    /** The owner's running and cancel-requested tasks, oldest first. */
    public List<TaskRecord> unfinishedOf(String owner) {
        // The newest ones: a worker that never finishes its tasks must not make every connect of
        // their owner read, cache and send thousands of them.
        List<TaskRecord> newest = db.query(
                "list the unfinished tasks of user '" + owner + "'",
                "SELECT " + COLUMNS + " FROM tasks WHERE owner = ? AND " + UNFINISHED
                        + " ORDER BY created_at DESC, id DESC FETCH FIRST " + MAX_UNFINISHED + " ROWS ONLY",
                TaskStore::read,
                owner);
        List<TaskRecord> oldestFirst = new java.util.ArrayList<>(newest);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** At most this many unfinished tasks of one owner are sent after a connect (the newest). */
    public static final int MAX_UNFINISHED = 100;

    /** The task's status changes, oldest first; empty for an unknown task. */
    public List<TaskHistoryEntry> history(String id) {
        return db.query(
                "read the history of task " + id,
                "SELECT status, changed_at, actor, message FROM task_history WHERE task_id = ? ORDER BY id",
                rs -> new TaskHistoryEntry(
                        status(rs.getString("status")),
                        Columns.instant(rs, "changed_at"),
                        rs.getString("actor"),
                        rs.getString("message")),
                id);
    }

    /** Deletes the tasks (and their history) that finished before {@code cutoff}; how many. */
    public int deleteFinishedBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return db.update(
                "delete finished tasks", "DELETE FROM tasks WHERE finished_at IS NOT NULL AND finished_at < ?", cutoff);
    }

    private static void addHistory(Connection c, TaskRecord t, String actor) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO task_history (task_id, status, changed_at, actor, message) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, t.id());
            s.setString(2, t.status().wireName());
            Columns.setInstant(s, 3, t.updatedAt());
            s.setString(4, actor);
            s.setString(5, t.status() == TaskStatus.FAILED ? t.message() : null);
            s.executeUpdate();
        }
    }

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    private static TaskStatus status(String wire) throws SQLException {
        return TaskStatus.fromWire(wire).orElseThrow(() -> new SQLException("unknown task status " + wire));
    }

    private static TaskRecord read(ResultSet rs) throws SQLException {
        long total = rs.getLong("total");
        Long maybeTotal = rs.wasNull() ? null : total;
        return new TaskRecord(
                rs.getString("id"),
                rs.getString("owner"),
                rs.getString("kind"),
                rs.getString("title"),
                status(rs.getString("status")),
                rs.getLong("done"),
                maybeTotal,
                rs.getString("message"),
                rs.getString("result"),
                rs.getString("data"),
                Columns.instant(rs, "created_at"),
                Columns.instant(rs, "updated_at"),
                Columns.instant(rs, "finished_at"));
    }
}
