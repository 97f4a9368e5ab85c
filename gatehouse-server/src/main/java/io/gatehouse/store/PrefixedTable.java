package io.gatehouse.store;

import java.time.Instant;
import java.util.Optional;

/**
 * A table of secrets kept by their lookup prefix and revoked by stamping {@code revoked_at}
 * ({@code api_keys}, {@code sessions}, {@code tokens}): the lookup and the revocation, written once.
 *
 * @param noun what a row is, for error messages ("API key")
 */
record PrefixedTable<T>(Database db, String table, String columns, String noun, Database.RowReader<T> reader) {
    Optional<T> find(String prefix) {
        return db.queryOne(
                "find " + noun + " " + prefix,
                "SELECT " + columns + " FROM " + table + " WHERE prefix = ?",
                reader,
                prefix);
    }

    /** Marks the row revoked at {@code at}; false when it is unknown or already revoked. */
    boolean revoke(String prefix, Instant at) {
        return db.update(
                        "revoke " + noun + " " + prefix,
                        "UPDATE " + table + " SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL",
                        at,
                        prefix)
                == 1;
    }
}
