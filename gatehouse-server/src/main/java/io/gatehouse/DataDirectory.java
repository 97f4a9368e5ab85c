package io.gatehouse;

import io.gatehouse.auth.PasswordHasher;
import io.gatehouse.auth.User;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.store.Database;
import io.gatehouse.store.UserRecord;
import io.gatehouse.store.UserStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * What lives in the data directory ({@code ./gatehouse-data} by default): the embedded database,
 * the generated HS256 secret ({@value #JWT_SECRET_FILE}) and the embedded database's password
 * ({@value #DATABASE_PASSWORD_FILE}), each created with mode 0600 on first use. The directory is
 * made 0700 and the files in it, H2's included, 0600 whenever it is opened, also when it existed
 * before. The server and the CLI share it, also at the same time.
 */
public final class DataDirectory {
    public static final String JWT_SECRET_FILE = "jwt-secret";
    public static final String DATABASE_PASSWORD_FILE = "database-password";
    public static final String BOOTSTRAP_ADMIN = "admin";
    private static final String EMBEDDED_USER = "gatehouse";

    private DataDirectory() {}

    /** Opens the configured database, or the embedded one under the data directory. */
    public static Database openDatabase(GatehouseConfig config) {
        var db = config.database();
        if (!db.embedded()) {
            return Database.open(db.url(), db.username(), db.password(), db.poolSize());
        }
        Path dir = prepare(config.dataDir());
        Database opened = Database.open(
                Database.embeddedUrl(dir), EMBEDDED_USER, secret(dir, DATABASE_PASSWORD_FILE), db.poolSize());
        ownerOnly(dir); // H2 creates its database, lock and trace files with the process umask
        return opened;
    }

    /**
     * The HS256 secrets: those of {@code auth.jwt.secrets} with their key ids when it is set, else
     * {@link #hmacSecret} alone.
     */
    public static io.gatehouse.auth.HmacKeys hmacKeys(GatehouseConfig config) {
        List<GatehouseConfig.JwtSecret> rotation = config.auth().jwt().secrets();
        if (rotation.isEmpty()) {
            return io.gatehouse.auth.HmacKeys.single(hmacSecret(config));
        }
        return new io.gatehouse.auth.HmacKeys(rotation.stream()
                .map(s -> new io.gatehouse.auth.HmacKeys.HmacKey(
                        s.keyId(), s.secret().getBytes(StandardCharsets.UTF_8)))
                .toList());
    }

    /** The HS256 secret: {@code auth.jwt.secret} when configured, otherwise the generated one. */
    public static byte[] hmacSecret(GatehouseConfig config) {
        String configured = config.auth().jwt().secret();
        if (!configured.isEmpty()) {
            return configured.getBytes(StandardCharsets.UTF_8);
        }
        return secret(prepare(config.dataDir()), JWT_SECRET_FILE).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * When no user has the admin role (the first start, even if {@code user add} ran before it),
     * creates the admin user {@value #BOOTSTRAP_ADMIN} with a random password and shows the
     * password once on {@code console}, never in the log. Does nothing if a user of that name
     * exists without the role: that is the operator's choice.
     */
    public static void bootstrapAdmin(Database database, Consumer<String> console) {
        UserStore users = new UserStore(database);
        if (users.list().stream().anyMatch(u -> u.roles().contains(User.ADMIN_ROLE))) {
            return;
        }
        String password = randomSecret(18);
        String hash = new PasswordHasher().hash(password.toCharArray());
        if (users.add(new UserRecord(BOOTSTRAP_ADMIN, List.of(User.ADMIN_ROLE), hash, java.time.Instant.now()))) {
            console.accept("created admin user '" + BOOTSTRAP_ADMIN + "' with password " + password + " (shown once)");
        }
    }

    private static Path prepare(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            ownerOnly(dir); // also when it existed before, e.g. made by mkdir with the usual 0755
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir, e);
        }
    }

    /**
     * Makes {@code dir} 0700 and every file directly in it 0600: it holds the database (password
     * hashes, token hashes), the generated secrets and H2's lock file, which names the auto-server
     * port. Not recursive: nothing Gatehouse writes lives deeper.
     */
    static void ownerOnly(Path dir) {
        try {
            if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                return; // Windows: ACLs, not modes
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            try (var entries = Files.list(dir)) {
                for (Path p : (Iterable<Path>) entries::iterator) {
                    if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        try {
                            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
                        } catch (java.nio.file.NoSuchFileException gone) {
                            // a temporary file H2 or a racing process removed meanwhile
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict the permissions of the data directory " + dir, e);
        }
    }

    /** Reads the secret in {@code dir/name}, creating it (mode 0600) with 32 random bytes if missing. */
    private static String secret(Path dir, String name) {
        Path file = dir.resolve(name);
        try {
            if (!Files.exists(file)) {
                // Written whole under a temporary name, then linked into place: a process that
                // races us sees either no file or the complete secret, and the first link wins.
                Path draft = Files.createTempFile(
                        dir,
                        name,
                        ".new",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.writeString(draft, randomSecret(32) + "\n");
                    Files.createLink(file, draft);
                } catch (FileAlreadyExistsException raced) {
                    // another process (the CLI, or a second server) created it first: use theirs
                } finally {
                    Files.deleteIfExists(draft);
                }
            }
            String stored = Files.readString(file).trim();
            if (stored.length() < 32) {
                throw new IllegalStateException(
                        file + " holds a secret shorter than 32 characters; delete it to generate a new one");
            }
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static String randomSecret(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
