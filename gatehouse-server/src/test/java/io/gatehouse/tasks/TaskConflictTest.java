package io.gatehouse.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.store.TaskRecord;
import io.gatehouse.store.TaskStatus;
import io.gatehouse.store.TaskStore;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What another writer of the same database (another node) does to this node's cached tasks: a
 * worker's finish still wins over a cancel request written elsewhere; and the catch-up after a
 * connect sends at most the newest {@link TaskStore#MAX_UNFINISHED} unfinished tasks.
 */
class TaskConflictTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private final TaskWorker worker = new TaskWorker(server);

    @Test
    void aFinishWinsOverACancelRequestWrittenByAnotherNode() {
        JsonNode task = worker.create("conflict-owner", 10);
        String id = task.path("id").asText();
        worker.progress(id, 3); // cached here as running
        TaskStore store = server.gatehouse().tasks().store();
        TaskRecord stored = store.find(id).orElseThrow();
        TaskRecord elsewhere = stored.withStatus(
                TaskStatus.CANCEL_REQUESTED,
                stored.done(),
                stored.message(),
                null,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        assertThat(store.changeStatus(elsewhere, TaskStatus.RUNNING, "another-node"))
                .isTrue();

        JsonNode completed = worker.finish(id, "complete", "{}");
        assertThat(completed.path("status").asText()).isEqualTo("completed");
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void theCatchUpSendsTheNewestHundredUnfinishedTasksOnly() {
        String owner = "busy-owner";
        String newest = null;
        for (int i = 0; i < TaskStore.MAX_UNFINISHED + 5; i++) {
            newest = worker.create(owner, 10).path("id").asText();
        }
        try (WsRecorder ws = server.connectAs(owner)) {
            int received = 0;
            String last = null;
            JsonNode m;
            while ((m = ws.pollMessage(java.time.Duration.ofSeconds(2))) != null) {
                if (m.path("type").asText().equals("task_progress")) {
                    received++;
                    last = m.path("task").path("id").asText();
                }
            }
            assertThat(received).isEqualTo(TaskStore.MAX_UNFINISHED);
            assertThat(last).as("oldest first, ending with the newest").isEqualTo(newest);
        }
    }
}
