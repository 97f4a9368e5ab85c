package io.gatehouse.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A local account as stored. The id is the user name; passwordHash is an Argon2id PHC string
 * (see {@code io.gatehouse.auth.PasswordHasher}) and is left out of {@link #toString()}.
 */
public record UserRecord(String id, List<String> roles, String passwordHash, Instant createdAt) {
    /** What a local user's id starts with wherever users are named: tokens, sessions, channels. */
    public static final String LOCAL_ID_PREFIX = "local:";

    /** The user id of the local user {@code name} (a row of this table) everywhere else. */
    public static String localId(String name) {
        return LOCAL_ID_PREFIX + name;
    }

    public UserRecord {
        Objects.requireNonNull(id, "id");
        roles = List.copyOf(roles);
        Objects.requireNonNull(passwordHash, "passwordHash");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    @Override
    public String toString() {
        return "UserRecord[id=" + id + ", roles=" + roles + ", createdAt=" + createdAt + "]";
    }
}
