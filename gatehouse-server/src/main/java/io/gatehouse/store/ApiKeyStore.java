package io.gatehouse.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Server API keys, looked up by prefix. Blocking: call from a thread that may wait on the
 * database. Instants are stored to the microsecond.
 */
public final class ApiKeyStore {
    private static final String COLUMNS = "prefix, hash, name, scopes, created_at, revoked_at";

    private final Database db;

    public ApiKeyStore(Database db) {
        this.db = db;
    }

    /** @throws StoreException also when a key with the same prefix exists */
    public void insert(ApiKeyRecord k) {
        String scopes = Columns.list(k.scopes());
        db.run("insert API key " + k.prefix(), c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO api_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, k.prefix());
                s.setBytes(2, k.hash());
                s.setString(3, k.name());
                s.setString(4, scopes);
                Columns.setInstant(s, 5, k.createdAt());
                Columns.setInstant(s, 6, k.revokedAt());
                return s.executeUpdate();
            }
        });
    }

    public Optional<ApiKeyRecord> findByPrefix(String prefix) {
        return db.run("find API key " + prefix, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE prefix = ?")) {
                s.setString(1, prefix);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    /** All keys, revoked ones included, oldest first. */
    public List<ApiKeyRecord> list() {
        return db.run("list API keys", c -> {
            try (PreparedStatement s =
                            c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, prefix");
                    ResultSet rs = s.executeQuery()) {
                List<ApiKeyRecord> keys = new ArrayList<>();
                while (rs.next()) {
                    keys.add(read(rs));
                }
                return keys;
            }
        });
    }

    /** Marks the key revoked at {@code at}; false when it is unknown or already revoked. */
    public boolean revoke(String prefix, Instant at) {
        Objects.requireNonNull(at, "at");
        return db.run("revoke API key " + prefix, c -> {
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL")) {
                Columns.setInstant(s, 1, at);
                s.setString(2, prefix);
                return s.executeUpdate() == 1;
            }
        });
    }

    private static ApiKeyRecord read(ResultSet rs) throws SQLException {
        return new ApiKeyRecord(
                rs.getString("prefix"),
                rs.getBytes("hash"),
                rs.getString("name"),
                Columns.list(rs, "scopes"),
                Columns.instant(rs, "created_at"),
                Columns.instant(rs, "revoked_at"));
    }
}
