package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.auth.PasswordHasher;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.store.Database;
import io.gatehouse.store.UserRecord;
import io.gatehouse.store.UserStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @TempDir
    Path tmp;

    GatehouseConfig config() {
        return ConfigLoader.load(new ConfigSources().flag(ConfigKey.DATA_DIR, tmp.resolve("data"), "--data-dir"));
    }

    @Test
    void firstStartCreatesAnAdminWhosePasswordIsShownOnceAndWorks() {
        List<String> console = new ArrayList<>();
        try (Database db = DataDirectory.openDatabase(config())) {
            DataDirectory.bootstrapAdmin(db, console::add);
            DataDirectory.bootstrapAdmin(db, console::add);
            assertThat(console).hasSize(1);
            String password = console.get(0).replaceAll(".*with password (\\S+).*", "$1");
            UserRecord admin = new UserStore(db).find("admin").orElseThrow();
            assertThat(admin.roles()).containsExactly("admin");
            assertThat(new PasswordHasher().verify(password.toCharArray(), admin.passwordHash()))
                    .isTrue();
        }
    }

    @Test
    void anAdminIsStillBootstrappedWhenTheCliAddedAnotherUserFirst() {
        List<String> console = new ArrayList<>();
        try (Database db = DataDirectory.openDatabase(config())) {
            new UserStore(db).add(new UserRecord("alice", List.of(), "x", Instant.now()));
            DataDirectory.bootstrapAdmin(db, console::add);
            assertThat(console).hasSize(1);
            assertThat(new UserStore(db).find("admin")).isPresent();
        }
    }

    @Test
    void generatedSecretsAreReadableByTheOwnerOnlyAndStable() throws Exception {
        byte[] first;
        try (Database db = DataDirectory.openDatabase(config())) {
            first = DataDirectory.hmacSecret(config());
        }
        assertThat(first.length).isGreaterThanOrEqualTo(32);
        assertThat(DataDirectory.hmacSecret(config())).isEqualTo(first);
        Path data = tmp.resolve("data");
        for (String name : List.of(DataDirectory.JWT_SECRET_FILE, DataDirectory.DATABASE_PASSWORD_FILE)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(name))))
                    .isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                .isEqualTo("rwx------");
    }

    /** Issue 10 point 8: a directory made beforehand (mkdir, 0755) and H2's own files end up owner-only. */
    @Test
    void anExistingDirectoryAndTheDatabaseFilesBecomeOwnerOnly() throws Exception {
        Path data = Files.createDirectory(
                tmp.resolve("data"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path stray = Files.createFile(
                data.resolve("notes.txt"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        try (Database db = DataDirectory.openDatabase(config())) {
            new UserStore(db).add(new UserRecord("alice", List.of(), "x", Instant.now()));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                    .isEqualTo("rwx------");
            List<Path> files;
            try (var list = Files.list(data)) {
                files = list.filter(Files::isRegularFile).toList();
            }
            assertThat(files).anyMatch(p -> p.getFileName().toString().endsWith(".mv.db"));
            for (Path f : files) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                        .as(f.toString())
                        .isEqualTo("rw-------");
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stray)))
                .isEqualTo("rw-------");
    }

    @Test
    void aConfiguredSecretWinsOverTheGeneratedOne() {
        String secret = "a-configured-secret-of-at-least-32-bytes";
        GatehouseConfig c = ConfigLoader.load(new ConfigSources()
                .flag(ConfigKey.DATA_DIR, tmp.resolve("data"), "--data-dir")
                .environment(java.util.Map.of("GATEHOUSE_AUTH_JWT_SECRET", secret)));
        assertThat(new String(DataDirectory.hmacSecret(c))).isEqualTo(secret);
        assertThat(tmp.resolve("data").resolve(DataDirectory.JWT_SECRET_FILE)).doesNotExist();
    }
}
