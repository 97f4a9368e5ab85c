package io.gatehouse.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Each test's own empty database for the store contract tests, on one of the databases Gatehouse
 * supports: a JUnit extension that a contract class registers ({@code @RegisterExtension}) with
 * the kind its subclass names. Before each test it creates the database (a fresh H2 data
 * directory, or a fresh {@link PostgresTestSchema}); {@link #open()} opens and migrates it, again
 * after a close to reopen it; after each test every Database it opened is closed and the database
 * removed. PostgreSQL being down fails the test, never skips it.
 */
abstract class TestDatabases implements BeforeEachCallback, AfterEachCallback {
    private final List<Database> opened = new ArrayList<>();
    private boolean created;

    /** The embedded H2 database, in a fresh data directory per test. */
    static TestDatabases embeddedH2() {
        return new EmbeddedH2();
    }

    /** A real PostgreSQL, each test in its own schema. */
    static TestDatabases postgres() {
        return new Postgres();
    }

    /** Opens (and so migrates) this test's database; may be called again after closing it. */
    final Database open() {
        Database db = connect();
        opened.add(db);
        return db;
    }

    /** The PostgreSQL schema this test's database is in; the embedded H2 has none (null). */
    String schema() {
        return null;
    }

    /** Creates this test's empty database. */
    abstract void create() throws Exception;

    abstract Database connect();

    /** Removes what create made, once every Database on it is closed. */
    abstract void remove() throws Exception;

    @Override
    public final void beforeEach(ExtensionContext context) throws Exception {
        create();
        created = true;
    }

    @Override
    public final void afterEach(ExtensionContext context) throws Exception {
        try {
            opened.forEach(Database::close);
        } finally {
            opened.clear();
            if (created) {
                created = false;
                remove();
            }
        }
    }

    private static final class EmbeddedH2 extends TestDatabases {
        private Path dataDir;

        @Override
        void create() throws IOException {
            dataDir = Files.createTempDirectory("gatehouse-store-test");
        }

        @Override
        Database connect() {
            return Database.open(Database.embeddedUrl(dataDir), "gatehouse", "", 2);
        }

        @Override
        void remove() throws IOException {
            try (Stream<Path> files = Files.walk(dataDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static final class Postgres extends TestDatabases {
        private PostgresTestSchema schema;

        @Override
        void create() throws Exception {
            schema = new PostgresTestSchema();
            schema.create();
        }

        @Override
        Database connect() {
            return schema.open();
        }

        @Override
        String schema() {
            return schema.name;
        }

        @Override
        void remove() throws Exception {
            schema.drop();
        }
    }
}
