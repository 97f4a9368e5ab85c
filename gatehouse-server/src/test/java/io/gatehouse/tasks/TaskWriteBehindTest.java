package io.gatehouse.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.store.TaskStore;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress written behind: a write the database refuses is tried again until it is in. */
class TaskWriteBehindTest {
    @Test
    void progressTheDatabaseRefusedIsWrittenOnceItAcceptsAgainWithoutAnotherCall() throws Exception {
        try (TestGatehouse server =
                        new TestGatehouse().with("tasks.push_interval", "50ms").start();
                WsRecorder page = server.connectAs("alice")) {
            TaskWorker worker = new TaskWorker(server);
            String id = worker.create("alice", 100).path("id").asText();
            TaskStore store = server.gatehouse().tasks().store();
            DataSource db = server.gatehouse().database().dataSource();

            // The database refuses the row's next write (a real refusal: a constraint it breaks).
            sql(db, "ALTER TABLE tasks ADD CONSTRAINT test_refuse_progress CHECK (done < 50)");
            assertThat(worker.progress(id, 60).path("done").asLong())
                    .as("the call is answered")
                    .isEqualTo(60);
            while (page.awaitType("task_progress").path("task").path("done").asLong() != 60) {
                // the creation's push first; then the progress must come
            }
            Thread.sleep(500); // ten push intervals: the write was tried and refused
            assertThat(store.find(id).orElseThrow().done()).isZero();

            sql(db, "ALTER TABLE tasks DROP CONSTRAINT test_refuse_progress");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (store.find(id).orElseThrow().done() != 60) {
                assertThat(System.nanoTime())
                        .as("written again within 10 s, with no further progress call")
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    @Test
    void writesTheDatabaseHoldsUpDoNotHoldUpThePushes(@TempDir Path dir) throws Exception {
        // A lock timeout far longer than the test waits: the held writes stay held until released.
        String url = "jdbc:h2:file:" + dir.resolve("db") + ";LOCK_TIMEOUT=60000";
        try (TestGatehouse server = new TestGatehouse()
                        .with("database.url", url)
                        .with("tasks.push_interval", "50ms")
                        .start();
                WsRecorder page = server.connectAs("alice")) {
            TaskWorker worker = new TaskWorker(server);
            String a = worker.create("alice", 100).path("id").asText();
            String b = worker.create("alice", 100).path("id").asText();
            String c = worker.create("alice", 100).path("id").asText();
            DataSource db = server.gatehouse().database().dataSource();
            try (Connection holder = db.getConnection()) {
                holder.setAutoCommit(false);
                try (Statement s = holder.createStatement()) {
                    // Another transaction holds the rows of a, b and c: their writes wait.
                    s.executeQuery("SELECT id FROM tasks WHERE id IN ('" + a + "', '" + b + "', '" + c
                                    + "') FOR UPDATE")
                            .close();
                }
                worker.progress(a, 10);
                worker.progress(b, 10);
                worker.progress(c, 10); // more writes waiting than there are writer threads
                Thread.sleep(300);
                worker.progress(a, 20);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                boolean pushed = false;
                while (!pushed && System.nanoTime() < deadline) {
                    var m = page.pollMessage(Duration.ofMillis(200));
                    pushed = m != null
                            && m.path("task").path("id").asText().equals(a)
                            && m.path("task").path("done").asLong() == 20;
                }
                assertThat(pushed)
                        .as("the push of a's new progress while the database holds its writes")
                        .isTrue();
                holder.rollback();
            }
        }
    }

    private static void sql(DataSource db, String statement) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
