package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several nodes starting at once against one fresh PostgreSQL schema each migrate it (Flyway
 * serialises them with a PostgreSQL advisory lock): every node starts, and each migration is
 * applied once.
 */
class ConcurrentMigrationTest {
    private static final int NODES = 4;

    private final PostgresTestSchema schema = new PostgresTestSchema();

    @BeforeEach
    void createSchema() throws Exception {
        schema.create();
    }

    @AfterEach
    void dropSchema() throws Exception {
        schema.drop();
    }

    @Test
    void nodesMigratingOneFreshSchemaAtOnceAllStartAndApplyEachMigrationOnce() throws Exception {
        ExecutorService starts = Executors.newFixedThreadPool(NODES);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Database>> opening = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            opening.add(starts.submit(() -> {
                go.await();
                return schema.open();
            }));
        }
        go.countDown();
        List<Database> opened = new ArrayList<>();
        try {
            for (Future<Database> f : opening) {
                opened.add(f.get(60, TimeUnit.SECONDS)); // throws if any node failed to migrate
            }
            try (Connection c = opened.get(0).dataSource().getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version), MIN(CASE WHEN success"
                            + " THEN 1 ELSE 0 END) FROM flyway_schema_history WHERE version IS NOT NULL")) {
                rs.next();
                assertThat(rs.getInt(1)).as("rows in the schema history").isEqualTo(migrations());
                assertThat(rs.getInt(2)).as("distinct versions").isEqualTo(migrations());
                assertThat(rs.getInt(3)).as("every migration succeeded").isEqualTo(1);
            }
            // Every node works on the one schema.
            for (Database db : opened) {
                assertThat(new RevocationStore(db).newestId()).isZero();
            }
        } finally {
            opened.forEach(Database::close);
            starts.shutdownNow();
        }
    }

    /** The migrations on the classpath, V1 to the newest. */
    private static int migrations() throws Exception {
        var dir = ConcurrentMigrationTest.class.getResource("/db/migration");
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
            return (int) files.filter(p -> p.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .count();
        }
    }
}
