package io.gatehouse.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** Cookie sessions, looked up by prefix. Blocking: call from a thread that may wait on the database. */
public final class SessionStore {
    private static final String COLUMNS =
            "prefix, hash, user_id, csrf_hash, csrf_issued_at, created_at, expires_at, revoked_at";

    private final Database db;
    private final PrefixedTable<SessionRecord> sessions;

    public SessionStore(Database db) {
        this.db = db;
        this.sessions = new PrefixedTable<>(db, "sessions", COLUMNS, "session", SessionStore::read);
    }

    public void insert(SessionRecord r) {
        db.run("insert session " + r.prefix(), c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, r.prefix());
                s.setBytes(2, r.hash());
                s.setString(3, r.userId());
                s.setBytes(4, r.csrfHash());
                Columns.setInstant(s, 5, r.csrfIssuedAt());
                Columns.setInstant(s, 6, r.createdAt());
                Columns.setInstant(s, 7, r.expiresAt());
                Columns.setInstant(s, 8, r.revokedAt());
                return s.executeUpdate();
            }
        });
    }

    public Optional<SessionRecord> findByPrefix(String prefix) {
        return sessions.find(prefix);
    }

    /** A new CSRF token and a later expiry for a live session; false if it is unknown or revoked. */
    public boolean refresh(String prefix, byte[] csrfHash, Instant csrfIssuedAt, Instant expiresAt) {
        return db.run("refresh session " + prefix, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE sessions SET csrf_hash = ?, csrf_issued_at = ?, expires_at = ? WHERE prefix = ? AND revoked_at IS NULL")) {
                s.setBytes(1, csrfHash);
                Columns.setInstant(s, 2, csrfIssuedAt);
                Columns.setInstant(s, 3, expiresAt);
                s.setString(4, prefix);
                return s.executeUpdate() == 1;
            }
        });
    }

    /** False if unknown or already revoked. */
    public boolean revoke(String prefix, Instant at) {
        return sessions.revoke(prefix, at);
    }

    private static SessionRecord read(ResultSet rs) throws SQLException {
        return new SessionRecord(
                rs.getString("prefix"),
                rs.getBytes("hash"),
                rs.getString("user_id"),
                rs.getBytes("csrf_hash"),
                Columns.instant(rs, "csrf_issued_at"),
                Columns.instant(rs, "created_at"),
                Columns.instant(rs, "expires_at"),
                Columns.instant(rs, "revoked_at"));
    }
}
