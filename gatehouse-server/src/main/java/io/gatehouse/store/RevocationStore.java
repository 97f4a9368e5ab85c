package io.gatehouse.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The revocation journal: every process that shares the database appends what it revoked, and
 * every server node reads what is new, so a revocation made anywhere (another node, the CLI)
 * closes the live connections it concerns. Blocking.
 */
public final class RevocationStore {
    private static final String INSERT =
            "INSERT INTO revocations (kind, subject, created_at, held_until) VALUES (?, ?, ?, ?)";
    private static final String COLUMNS = "SELECT id, kind, subject, created_at, held_until FROM revocations";

    /**
     * Holds end by this at the latest: a JWT's exp may lie past what a timestamp column takes (an
     * exp of 1e18 s is past Instant.MAX), and a hold this long is forever in effect.
     */
    private static final Instant LATEST_HOLD = Instant.parse("9999-12-31T23:59:59Z");

    private final Database db;

    public RevocationStore(Database db) {
        this.db = db;
    }

    public void append(Revocation.Kind kind, String subject, Instant at) {
        append(kind, subject, at, null, List.of());
    }

    /** Appends the entry and writes {@code events} to the webhook outbox in one transaction: both or neither. */
    public void append(Revocation.Kind kind, String subject, Instant at, List<WebhookEvent> events) {
        append(kind, subject, at, null, events);
    }

    /**
     * Appends the entry, held until {@code heldUntil} (null: no hold; see {@link Revocation}), and
     * writes {@code events} to the webhook outbox in one transaction: both or neither.
     */
    public void append(Revocation.Kind kind, String subject, Instant at, Instant heldUntil, List<WebhookEvent> events) {
        db.inTransaction("record a revocation", c -> {
            append(c, kind, subject, at, heldUntil);
            if (!events.isEmpty()) {
                WebhookStore.insert(c, events);
            }
            return null;
        });
    }

    /** Appends the entry on {@code c}, in the caller's transaction. */
    static void append(Connection c, Revocation.Kind kind, String subject, Instant at) throws SQLException {
        append(c, kind, subject, at, null);
    }

    private static void append(Connection c, Revocation.Kind kind, String subject, Instant at, Instant heldUntil)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            s.setString(1, kind.name());
            s.setString(2, subject);
            Columns.setInstant(s, 3, at);
            Columns.setInstant(s, 4, heldUntil == null || heldUntil.isBefore(LATEST_HOLD) ? heldUntil : LATEST_HOLD);
            s.executeUpdate();
        }
    }

    /** The id of the newest entry, 0 when there is none: where a node starts reading. */
    public long newestId() {
        return db.query(
                        "read the revocation journal",
                        "SELECT COALESCE(MAX(id), 0) FROM revocations",
                        rs -> rs.getLong(1))
                .get(0);
    }

    /** Entries after {@code afterId}, oldest first, at most {@code limit}. */
    public List<Revocation> after(long afterId, int limit) {
        return db.query(
                "read the revocation journal",
                COLUMNS + " WHERE id > ? ORDER BY id LIMIT " + limit,
                RevocationStore::read,
                afterId);
    }

    /** USER entries made after {@code since}, oldest first: the not-befores a starting node must know. */
    public List<Revocation> usersRemovedSince(Instant since) {
        return db.query(
                "read the revocation journal",
                COLUMNS + " WHERE kind = ? AND created_at > ? ORDER BY id",
                RevocationStore::read,
                Revocation.Kind.USER.name(),
                since);
    }

    /** CREDENTIAL entries still held at {@code now}: the revoked tokens a starting node must refuse. */
    public List<Revocation> heldAt(Instant now) {
        return db.query(
                "read the revocation journal",
                COLUMNS + " WHERE held_until > ? ORDER BY id",
                RevocationStore::read,
                now);
    }

    private static Revocation read(ResultSet rs) throws java.sql.SQLException {
        return new Revocation(
                rs.getLong("id"),
                Revocation.Kind.valueOf(rs.getString("kind")),
                rs.getString("subject"),
                Columns.instant(rs, "created_at"),
                Columns.instant(rs, "held_until"));
    }
}
