package io.gatehouse.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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
    private final PrefixedTable<ApiKeyRecord> keys;

    public ApiKeyStore(Database db) {
        this.db = db;
        this.keys = new PrefixedTable<>(db, "api_keys", COLUMNS, "API key", ApiKeyStore::read);
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
        return keys.find(prefix);
    }

    /** All keys, revoked ones included, oldest first. */
    public List<ApiKeyRecord> list() {
        return db.query(
                "list API keys", "SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, prefix", ApiKeyStore::read);
    }

    /** Marks the key revoked at {@code at}; false when it is unknown or already revoked. */
    public boolean revoke(String prefix, Instant at) {
        Objects.requireNonNull(at, "at");
        return keys.revoke(prefix, at);
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
