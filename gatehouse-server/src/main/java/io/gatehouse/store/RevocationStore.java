package io.gatehouse.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The revocation journal: every process that shares the database appends what it revoked, and
 * every server node reads what is new, so a revocation made anywhere (another node, the CLI)
 * closes the live connections it concerns. Blocking.
 */
public final class RevocationStore {
    private final Database db;

    public RevocationStore(Database db) {
        this.db = db;
    }

    public void append(Revocation.Kind kind, String subject, Instant at) {
        db.run("record a revocation", c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO revocations (kind, subject, created_at) VALUES (?, ?, ?)")) {
                s.setString(1, kind.name());
                s.setString(2, subject);
                Columns.setInstant(s, 3, at);
                return s.executeUpdate();
            }
        });
    }

    /** The id of the newest entry, 0 when there is none: where a node starts reading. */
    public long newestId() {
        return db.run("read the revocation journal", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM revocations");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Entries after {@code afterId}, oldest first, at most {@code limit}. */
    public List<Revocation> after(long afterId, int limit) {
        return db.run("read the revocation journal", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, kind, subject, created_at FROM revocations WHERE id > ? ORDER BY id LIMIT " + limit)) {
                s.setLong(1, afterId);
                List<Revocation> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** USER entries made after {@code since}, oldest first: the not-befores a starting node must know. */
    public List<Revocation> usersRemovedSince(Instant since) {
        return db.run("read the revocation journal", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, kind, subject, created_at FROM revocations WHERE kind = ? AND created_at > ? ORDER BY id")) {
                s.setString(1, Revocation.Kind.USER.name());
                Columns.setInstant(s, 2, since);
                List<Revocation> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    private static Revocation read(ResultSet rs) throws java.sql.SQLException {
        return new Revocation(
                rs.getLong("id"),
                Revocation.Kind.valueOf(rs.getString("kind")),
                rs.getString("subject"),
                Columns.instant(rs, "created_at"));
    }
}
