package io.gatehouse.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Stands in for the {@code gatehouse user ...} CLI in {@link EmbeddedDatabaseSharingTest}: a
 * second JVM that uses the embedded database while the test's JVM holds it open.
 *
 * <p>Usage: {@code CliStandIn <dataDir> add|find <userId>}. Exits 0 on success, {@link #NOT_DONE}
 * when the user already existed (add) or was not found (find).
 */
public final class CliStandIn {
    static final String DB_USER = "gatehouse";
    static final String DB_PASSWORD = "";
    static final int NOT_DONE = 3;

    public static void main(String[] args) {
        Path dataDir = Path.of(args[0]);
        String command = args[1];
        String userId = args[2];
        boolean done;
        try (Database db = Database.open(Database.embeddedUrl(dataDir), DB_USER, DB_PASSWORD, 1)) {
            UserStore users = new UserStore(db);
            done = switch (command) {
                case "add" ->
                    users.add(new UserRecord(userId, List.of("admin"), "$argon2id$placeholder", Instant.now()));
                case "find" -> users.find(userId).isPresent();
                default -> throw new IllegalArgumentException("Unknown command " + command);
            };
        }
        System.out.println(command + " " + userId + ": " + (done ? "done" : "not done"));
        System.exit(done ? 0 : NOT_DONE);
    }
}
