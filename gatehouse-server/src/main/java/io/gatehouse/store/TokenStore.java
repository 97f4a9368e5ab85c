package io.gatehouse.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Opaque access tokens, looked up by prefix. Blocking: call from a thread that may wait on the
 * database. Instants are stored to the microsecond.
 */
public final class TokenStore {
    private static final String COLUMNS =
            "prefix, hash, user_id, user_name, roles, channels, created_at, expires_at, last_used_at, revoked_at, minted_from";

    private final Database db;
    private final PrefixedTable<TokenRecord> tokens;

    public TokenStore(Database db) {
        this.db = db;
        this.tokens = new PrefixedTable<>(db, "tokens", COLUMNS, "token", TokenStore::read);
    }

    /** @throws StoreException also when a token with the same prefix exists */
    public void insert(TokenRecord t) {
        String roles = Columns.list(t.roles());
        String channels = Columns.list(t.channels());
        db.run("insert token " + t.prefix(), c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, t.prefix());
                s.setBytes(2, t.hash());
                s.setString(3, t.userId());
                s.setString(4, t.userName());
                s.setString(5, roles);
                s.setString(6, channels);
                Columns.setInstant(s, 7, t.createdAt());
                Columns.setInstant(s, 8, t.expiresAt());
                Columns.setInstant(s, 9, t.lastUsedAt());
                Columns.setInstant(s, 10, t.revokedAt());
                s.setString(11, t.mintedFrom());
                return s.executeUpdate();
            }
        });
    }

    public Optional<TokenRecord> findByPrefix(String prefix) {
        return tokens.find(prefix);
    }

    /** The user's tokens, revoked and expired ones included, newest first. */
    public List<TokenRecord> listForUser(String userId) {
        return db.query(
                "list tokens of user '" + userId + "'",
                "SELECT " + COLUMNS + " FROM tokens WHERE user_id = ? ORDER BY created_at DESC, prefix",
                TokenStore::read,
                userId);
    }

    /** Marks the token revoked at {@code at}; false when it is unknown or already revoked. */
    public boolean revoke(String prefix, Instant at) {
        Objects.requireNonNull(at, "at");
        return tokens.revoke(prefix, at);
    }

    /**
     * Like {@link #revoke}, but only when the token belongs to userId, so a user can revoke their
     * own tokens without being able to tell whether someone else's prefix exists.
     */
    public boolean revokeForUser(String prefix, String userId, Instant at) {
        Objects.requireNonNull(at, "at");
        return db.update(
                        "revoke token " + prefix + " of user '" + userId + "'",
                        "UPDATE tokens SET revoked_at = ? WHERE prefix = ? AND user_id = ? AND revoked_at IS NULL",
                        at,
                        prefix,
                        userId)
                == 1;
    }

    /**
     * Revokes every live token minted from {@code credentialId}, and every token minted from those,
     * and so on, in one transaction. Returns the prefixes it revoked (for the revocation journal).
     */
    public List<String> revokeMintedFrom(String credentialId, Instant at) {
        Objects.requireNonNull(at, "at");
        return db.inTransaction(
                "revoke tokens minted from a revoked credential", c -> revokeMinted(c, credentialId, at));
    }

    /**
     * Revokes the opaque token {@code prefix} when it is unrevoked (and, unless {@code userId} is
     * null, that user's), and every token minted from it, transitively; journals each one revoked
     * for the nodes to close its connections, with {@code eventsFor} it (its token.revoked event) in
     * the webhook outbox; all in one transaction, so a failure leaves nothing half done and the call
     * can be made again. Returns the prefixes revoked, the token's first; empty when the token was
     * not an unrevoked token (of that user), and nothing was written.
     */
    public List<String> revokeJournaled(
            String prefix, String userId, Instant at, Function<String, List<WebhookEvent>> eventsFor) {
        Objects.requireNonNull(at, "at");
        return db.inTransaction("revoke token " + prefix + " and the tokens minted from it", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tokens SET revoked_at = ? WHERE prefix = ?"
                    + " AND revoked_at IS NULL" + (userId == null ? "" : " AND user_id = ?"))) {
                Columns.setInstant(s, 1, at);
                s.setString(2, prefix);
                if (userId != null) {
                    s.setString(3, userId);
                }
                if (s.executeUpdate() != 1) {
                    return List.<String>of();
                }
            }
            List<String> revoked = new ArrayList<>();
            revoked.add(prefix);
            revoked.addAll(revokeMinted(c, prefix, at));
            for (String credentialId : revoked) {
                RevocationStore.append(c, Revocation.Kind.CREDENTIAL, credentialId, at);
                List<WebhookEvent> events = eventsFor.apply(credentialId);
                if (!events.isEmpty()) {
                    WebhookStore.insert(c, events);
                }
            }
            return revoked;
        });
    }

    private static List<String> revokeMinted(Connection c, String credentialId, Instant at) throws SQLException {
        List<String> revoked = new ArrayList<>();
        java.util.ArrayDeque<String> parents = new java.util.ArrayDeque<>(List.of(credentialId));
        java.util.Set<String> seen = new java.util.HashSet<>(parents);
        while (!parents.isEmpty()) {
            String parent = parents.poll();
            List<String> children = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT prefix FROM tokens WHERE minted_from = ?")) {
                s.setString(1, parent);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        children.add(rs.getString(1));
                    }
                }
            }
            for (String child : children) {
                if (!seen.add(child)) {
                    continue;
                }
                // Already revoked children are walked too: their own children may be live.
                parents.add(child);
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE tokens SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL")) {
                    Columns.setInstant(s, 1, at);
                    s.setString(2, child);
                    if (s.executeUpdate() == 1) {
                        revoked.add(child);
                    }
                }
            }
        }
        return revoked;
    }

    /**
     * Records a use of the token. Never moves lastUsedAt backwards, so concurrent verifications
     * finishing out of order leave the latest time. Unknown prefixes are ignored.
     */
    public void touch(String prefix, Instant lastUsedAt) {
        Objects.requireNonNull(lastUsedAt, "lastUsedAt");
        db.update(
                "record use of token " + prefix,
                "UPDATE tokens SET last_used_at = ? WHERE prefix = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                lastUsedAt,
                prefix,
                lastUsedAt);
    }

    private static TokenRecord read(ResultSet rs) throws SQLException {
        return new TokenRecord(
                rs.getString("prefix"),
                rs.getBytes("hash"),
                rs.getString("user_id"),
                rs.getString("user_name"),
                Columns.list(rs, "roles"),
                Columns.list(rs, "channels"),
                Columns.instant(rs, "created_at"),
                Columns.instant(rs, "expires_at"),
                Columns.instant(rs, "last_used_at"),
                Columns.instant(rs, "revoked_at"),
                rs.getString("minted_from"));
    }
}
