package io.gatehouse.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.gatehouse.Gatehouse;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.LogCapture;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Servers of their own: the retention sweep, a connection while the database is down, a restart mid-task. */
class TaskRetentionTest {
    @Test
    void finishedTasksArePrunedAfterTheRetentionAndRunningOnesStay() throws InterruptedException {
        try (TestGatehouse server =
                new TestGatehouse().with("tasks.retention", "1s").start()) {
            TaskWorker worker = new TaskWorker(server);
            String finished = worker.create("alice", 1).path("id").asText();
            String running = worker.create("alice", 1).path("id").asText();
            worker.finish(finished, "complete", "{}");
            assertThat(worker.get("/api/v1/tasks/" + finished).status()).isEqualTo(200);

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (worker.get("/api/v1/tasks/" + finished).status() != 404) {
                assertThat(System.nanoTime()).as("pruned within 10 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(worker.get("/api/v1/tasks/" + running).status()).isEqualTo(200);
        }
    }

    @Test
    void withTheDatabaseDownAConnectionIsEstablishedWithoutTheCatchUpAndALogLineSaysSo() {
        try (TestGatehouse server = new TestGatehouse().start();
                LogCapture log = new LogCapture()) {
            new TaskWorker(server).create("alice", 5);
            server.gatehouse().database().close();
            try (WsRecorder page = server.connectAs("alice")) {
                page.assertAlive();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (List.copyOf(log.events()).stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .noneMatch(m -> m.startsWith("Task catch-up skipped for connection"))) {
                assertThat(System.nanoTime())
                        .as("a catch-up log line within 5 s")
                        .isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void progressHeldBackIsWrittenWhenTheServerStopsAndARestartedServerShowsIt() throws InterruptedException {
        TestGatehouse first =
                new TestGatehouse().with("tasks.push_interval", "1h").start();
        GatehouseConfig config = first.gatehouse().config();
        String id;
        try (first) {
            TaskWorker worker = new TaskWorker(first);
            id = worker.create("alice", 100).path("id").asText();
            worker.progress(id, 1); // the first progress goes out (and is written) at once
            var store = first.gatehouse().tasks().store();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (store.find(id).orElseThrow().done() != 1) {
                assertThat(System.nanoTime())
                        .as("first progress written within 5 s")
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
            worker.progress(id, 63);
            worker.progress(id, 64); // within the hour after the first: held back, not yet written
            Thread.sleep(300);
            assertThat(store.find(id).orElseThrow().done()).isEqualTo(1);
            assertThat(worker.get("/api/v1/tasks/" + id).body().path("done").asLong())
                    .isEqualTo(64);
        }
        try (Gatehouse second = Gatehouse.start(config, Clock.systemUTC(), line -> {});
                WsRecorder page = WsRecorder.connect(
                        URI.create("ws://127.0.0.1:" + second.port() + "/ws"),
                        "Authorization",
                        "Bearer " + Jwts.hs256For("alice"))) {
            page.awaitEstablished();
            var pushed = page.awaitType("task_progress");
            assertThat(pushed.path("task").path("id").asText()).isEqualTo(id);
            assertThat(pushed.path("task").path("done").asLong()).isEqualTo(64);
        }
    }
}
