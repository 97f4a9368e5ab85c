package io.gatehouse.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.store.TaskStore;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

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

    private static void sql(DataSource db, String statement) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
