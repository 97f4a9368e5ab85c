package io.gatehouse.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Local accounts. Blocking: call from a thread that may wait on the database. */
public final class UserStore {
    private static final String COLUMNS = "id, roles, password_hash, created_at";

    private final Database db;

    public UserStore(Database db) {
        this.db = db;
    }

    /** Adds the user; false, with nothing changed, when a user with that id already exists. */
    public boolean add(UserRecord u) {
        String roles = Columns.list(u.roles());
        return db.run("add user '" + u.id() + "'", c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?)")) {
                s.setString(1, u.id());
                s.setString(2, roles);
                s.setString(3, u.passwordHash());
                Columns.setInstant(s, 4, u.createdAt());
                s.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    public Optional<UserRecord> find(String id) {
        return db.queryOne(
                "find user '" + id + "'", "SELECT " + COLUMNS + " FROM users WHERE id = ?", UserStore::read, id);
    }

    /** All users, ordered by id. */
    public List<UserRecord> list() {
        return db.query("list users", "SELECT " + COLUMNS + " FROM users ORDER BY id", UserStore::read);
    }

    /**
     * Removes the user and, in the same transaction, every token issued to them (user id
     * {@code local:NAME}) and their sessions. False, with
     * nothing changed, when there is no such user.
     */
    public boolean remove(String id) {
        return db.inTransaction("remove user '" + id + "'", c -> {
            try (PreparedStatement deleteUser = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
                deleteUser.setString(1, id);
                if (deleteUser.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement deleteTokens = c.prepareStatement("DELETE FROM tokens WHERE user_id = ?")) {
                deleteTokens.setString(1, UserRecord.localId(id)); // a local user's tokens carry its local id
                deleteTokens.executeUpdate();
            }
            // and its sessions, so a user re-created under the same name does not inherit them
            try (PreparedStatement deleteSessions = c.prepareStatement("DELETE FROM sessions WHERE user_id = ?")) {
                deleteSessions.setString(1, id);
                deleteSessions.executeUpdate();
            }
            return true;
        });
    }

    public long count() {
        return db.query("count users", "SELECT COUNT(*) FROM users", rs -> rs.getLong(1))
                .get(0);
    }

    private static UserRecord read(ResultSet rs) throws SQLException {
        return new UserRecord(
                rs.getString("id"),
                Columns.list(rs, "roles"),
                rs.getString("password_hash"),
                Columns.instant(rs, "created_at"));
    }
}
