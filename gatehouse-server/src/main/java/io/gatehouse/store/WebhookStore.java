package io.gatehouse.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The webhook outbox, {@code webhook_events} (docs/webhooks.md). Blocking: the webhook threads and
 * the API's blocking executor call it, never an event loop.
 *
 * <p>Another store that makes an event true in its own transaction (a task's cancel request) writes
 * the event in that transaction with {@link #insert(Connection, List)}, so the two are committed or
 * lost together.
 */
public final class WebhookStore {
    /** Width of {@code last_error} in V6__webhooks.sql. */
    static final int ERROR_CHARS = 1000;

    private static final String COLUMNS =
            "id, type, created_at, body, attempts, next_attempt_at, status, last_error, updated_at";
    private static final String INSERT =
            "INSERT INTO webhook_events (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String PENDING = "pending";

    private final Database db;

    public WebhookStore(Database db) {
        this.db = db;
    }

    /** Writes {@code events} in one transaction. */
    public void insert(List<WebhookEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        db.inTransaction("write " + events.size() + " webhook events", c -> {
            insert(c, events);
            return null;
        });
    }

    /** Writes {@code events} on {@code c}, in the caller's transaction. */
    static void insert(Connection c, List<WebhookEvent> events) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            for (WebhookEvent e : events) {
                s.setString(1, e.id());
                s.setString(2, e.type());
                Columns.setInstant(s, 3, e.createdAt());
                s.setString(4, e.body());
                s.setInt(5, e.attempts());
                Columns.setInstant(s, 6, e.nextAttemptAt());
                s.setString(7, name(e.status()));
                s.setString(8, AccessLogStore.text(e.lastError(), ERROR_CHARS));
                Columns.setInstant(s, 9, e.createdAt());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Pending events due at {@code now}, the longest due first, at most {@code limit}. */
    public List<WebhookEvent> due(Instant now, int limit) {
        return db.query(
                "read due webhook events",
                "SELECT " + COLUMNS + " FROM webhook_events WHERE status = ? AND next_attempt_at <= ?"
                        + " ORDER BY next_attempt_at, created_at LIMIT " + limit,
                WebhookStore::read,
                PENDING,
                now);
    }

    /**
     * Takes {@code e}, as {@link #due} read it, for one attempt: moves its next attempt to
     * {@code leaseUntil}. False when another worker took it first (or it changed since).
     */
    public boolean claim(WebhookEvent e, Instant leaseUntil) {
        return db.update(
                        "take a webhook event",
                        "UPDATE webhook_events SET next_attempt_at = ? WHERE id = ? AND status = ? AND next_attempt_at = ?",
                        leaseUntil,
                        e.id(),
                        PENDING,
                        e.nextAttemptAt())
                == 1;
    }

    /** The attempt got a 2xx. */
    public void delivered(String id, Instant at) {
        db.update(
                "mark a webhook event delivered",
                "UPDATE webhook_events SET status = 'delivered', attempts = attempts + 1, last_error = NULL,"
                        + " updated_at = ? WHERE id = ?",
                at,
                id);
    }

    /** The attempt failed with {@code error}; the next one is due at {@code nextAttemptAt}. */
    public void failed(String id, String error, Instant at, Instant nextAttemptAt) {
        db.update(
                "record a failed webhook attempt",
                "UPDATE webhook_events SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
                        + " updated_at = ? WHERE id = ?",
                AccessLogStore.text(error, ERROR_CHARS),
                nextAttemptAt,
                at,
                id);
    }

    /** The last allowed attempt failed with {@code error}: the event is kept as dead. */
    public void dead(String id, String error, Instant at) {
        db.update(
                "mark a webhook event dead",
                "UPDATE webhook_events SET status = 'dead', attempts = attempts + 1, last_error = ?,"
                        + " updated_at = ? WHERE id = ?",
                AccessLogStore.text(error, ERROR_CHARS),
                at,
                id);
    }

    /** How many events wait for delivery. */
    public long pendingCount() {
        return db.query(
                        "count pending webhook events",
                        "SELECT COUNT(*) FROM webhook_events WHERE status = ?",
                        rs -> rs.getLong(1),
                        PENDING)
                .get(0);
    }

    /** Dead events, the most recently failed first, at most {@code limit}. */
    public List<WebhookEvent> dead(int limit) {
        return db.query(
                "read dead webhook events",
                "SELECT " + COLUMNS + " FROM webhook_events WHERE status = 'dead' ORDER BY updated_at DESC, id LIMIT "
                        + limit,
                WebhookStore::read);
    }

    /** Makes dead event {@code id} pending again, due at {@code now}, with a fresh count of attempts. */
    public boolean retry(String id, Instant now) {
        return db.update(
                        "retry a dead webhook event",
                        "UPDATE webhook_events SET status = ?, attempts = 0, next_attempt_at = ?, updated_at = ?"
                                + " WHERE id = ? AND status = 'dead'",
                        PENDING,
                        now,
                        now,
                        id)
                == 1;
    }

    public Optional<WebhookEvent> find(String id) {
        return db.queryOne(
                "read a webhook event",
                "SELECT " + COLUMNS + " FROM webhook_events WHERE id = ?",
                WebhookStore::read,
                id);
    }

    /** Deletes delivered events last changed before {@code cutoff}; returns how many. */
    public int deleteDeliveredBefore(Instant cutoff) {
        return db.update(
                "delete delivered webhook events",
                "DELETE FROM webhook_events WHERE status = 'delivered' AND updated_at < ?",
                cutoff);
    }

    private static String name(WebhookEvent.Status status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    private static WebhookEvent read(ResultSet rs) throws SQLException {
        return new WebhookEvent(
                rs.getString("id"),
                rs.getString("type"),
                Columns.instant(rs, "created_at"),
                rs.getString("body"),
                rs.getInt("attempts"),
                Columns.instant(rs, "next_attempt_at"),
                WebhookEvent.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
                rs.getString("last_error"));
    }
}
