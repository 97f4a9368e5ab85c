package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract of {@link TaskStore}, run on every database Gatehouse supports. Each subclass names
 * the database ({@link TestDatabases}), which gives every test its own empty, migrated one.
 */
abstract class TaskStoreContractTest {
    /** Has a non-zero microsecond part, so a lossy timestamp column would show. */
    static final Instant T0 = Instant.parse("2030-01-02T03:04:05.123456Z");

    private Database db;
    private TaskStore store;

    @RegisterExtension
    final TestDatabases databases;

    TaskStoreContractTest(TestDatabases databases) {
        this.databases = databases;
    }

    @BeforeEach
    void open() {
        db = databases.open();
        store = new TaskStore(db);
    }

    private static TaskRecord task(String id, String owner, Instant at) {
        return new TaskRecord(
                id,
                owner,
                "import",
                "Import " + id,
                TaskStatus.RUNNING,
                0,
                100L,
                null,
                null,
                "{\"file\":\"a.csv\"}",
                at,
                at,
                null);
    }

    @Test
    void aCreatedTaskReadsBackWithEveryFieldAndOneHistoryEntry() {
        TaskRecord t = task("tsk_a", "alice", T0);
        store.create(t, "apikey:worker");

        assertThat(store.find("tsk_a")).contains(t);
        assertThat(store.history("tsk_a"))
                .containsExactly(new TaskHistoryEntry(TaskStatus.RUNNING, T0, "apikey:worker", null));
        assertThat(store.find("tsk_missing")).isEmpty();
    }

    @Test
    void aTaskWithoutTotalOrDataKeepsThemNull() {
        TaskRecord t =
                new TaskRecord("tsk_b", "bob", "k", "t", TaskStatus.RUNNING, 0, null, null, null, null, T0, T0, null);
        store.create(t, null);
        assertThat(store.find("tsk_b")).contains(t);
    }

    @Test
    void progressIsWrittenOnlyForwardAndNotAfterTheEnd() {
        TaskRecord t = task("tsk_a", "alice", T0);
        store.create(t, "apikey:w");

        assertThat(store.saveProgress(t.withProgress(5, 100L, "five", T0.plusSeconds(1))))
                .isTrue();
        assertThat(store.saveProgress(t.withProgress(3, 100L, "three", T0.plusSeconds(2))))
                .isFalse();
        assertThat(store.find("tsk_a")).get().satisfies(read -> {
            assertThat(read.done()).isEqualTo(5);
            assertThat(read.message()).isEqualTo("five");
            assertThat(read.updatedAt()).isEqualTo(T0.plusSeconds(1));
        });

        TaskRecord finished = store.find("tsk_a")
                .orElseThrow()
                .withStatus(TaskStatus.COMPLETED, 100, null, "{\"rows\":100}", T0.plusSeconds(3));
        assertThat(store.changeStatus(finished, TaskStatus.RUNNING, "apikey:w")).isTrue();
        assertThat(store.saveProgress(finished.withProgress(200, 200L, "late", T0.plusSeconds(4))))
                .isFalse();
        assertThat(store.find("tsk_a")).contains(finished);
    }

    @Test
    void aStatusChangeHappensOnlyFromTheExpectedStatusAndIsKeptInTheHistory() {
        TaskRecord t = task("tsk_a", "alice", T0);
        store.create(t, "apikey:w");
        TaskRecord asked = t.withStatus(TaskStatus.CANCEL_REQUESTED, 7, null, null, T0.plusSeconds(1));
        assertThat(store.changeStatus(asked, TaskStatus.RUNNING, "user:alice")).isTrue();
        assertThat(store.changeStatus(asked, TaskStatus.RUNNING, "user:alice")).isFalse();
        TaskRecord failed = asked.withStatus(TaskStatus.FAILED, 7, "disk full", null, T0.plusSeconds(2));
        assertThat(store.changeStatus(failed, TaskStatus.CANCEL_REQUESTED, "apikey:w"))
                .isTrue();

        assertThat(store.find("tsk_a")).contains(failed);
        assertThat(failed.finishedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(store.history("tsk_a"))
                .containsExactly(
                        new TaskHistoryEntry(TaskStatus.RUNNING, T0, "apikey:w", null),
                        new TaskHistoryEntry(TaskStatus.CANCEL_REQUESTED, T0.plusSeconds(1), "user:alice", null),
                        new TaskHistoryEntry(TaskStatus.FAILED, T0.plusSeconds(2), "apikey:w", "disk full"));
    }

    @Test
    void listingFiltersAndPagesNewestFirst() {
        for (int i = 0; i < 5; i++) {
            store.create(task("tsk_a" + i, "alice", T0.plusSeconds(i)), "w");
        }
        store.create(task("tsk_b0", "bob", T0.plusSeconds(10)), "w");
        // Two tasks created at the same instant are told apart by id.
        store.create(task("tsk_c1", "carol", T0), "w");
        store.create(task("tsk_c2", "carol", T0), "w");
        TaskRecord a4 = store.find("tsk_a4").orElseThrow();
        store.changeStatus(
                a4.withStatus(TaskStatus.COMPLETED, 100, null, null, T0.plusSeconds(20)), TaskStatus.RUNNING, "w");

        assertThat(ids(store.list(new TaskStore.Query("alice", null, null, null, 3))))
                .containsExactly("tsk_a4", "tsk_a3", "tsk_a2");
        assertThat(ids(store.list(new TaskStore.Query(
                        "alice", null, null, new TaskStore.Cursor(T0.plusSeconds(2), "tsk_a2"), 3))))
                .containsExactly("tsk_a1", "tsk_a0");
        assertThat(ids(store.list(new TaskStore.Query(null, TaskStatus.COMPLETED, null, null, 10))))
                .containsExactly("tsk_a4");
        assertThat(ids(store.list(new TaskStore.Query(null, null, "other", null, 10))))
                .isEmpty();
        assertThat(ids(store.list(new TaskStore.Query(null, null, null, null, 100))))
                .hasSize(8)
                .startsWith("tsk_b0")
                .endsWith("tsk_c2", "tsk_c1", "tsk_a0");
        assertThat(ids(store.list(new TaskStore.Query("carol", null, null, new TaskStore.Cursor(T0, "tsk_c2"), 10))))
                .containsExactly("tsk_c1");
    }

    @Test
    void unfinishedTasksOfAnOwnerAreListedOldestFirst() {
        store.create(task("tsk_2", "alice", T0.plusSeconds(2)), "w");
        store.create(task("tsk_1", "alice", T0.plusSeconds(1)), "w");
        store.create(task("tsk_3", "alice", T0.plusSeconds(3)), "w");
        store.create(task("tsk_x", "bob", T0), "w");
        TaskRecord t3 = store.find("tsk_3").orElseThrow();
        store.changeStatus(t3.withStatus(TaskStatus.FAILED, 0, "no", null, T0.plusSeconds(4)), TaskStatus.RUNNING, "w");
        TaskRecord t2 = store.find("tsk_2").orElseThrow();
        store.changeStatus(
                t2.withStatus(TaskStatus.CANCEL_REQUESTED, 0, null, null, T0.plusSeconds(4)), TaskStatus.RUNNING, "u");

        assertThat(ids(store.unfinishedOf("alice"))).containsExactly("tsk_1", "tsk_2");
        assertThat(store.unfinishedOf("nobody")).isEmpty();
    }

    @Test
    void pruningDeletesOnlyTasksFinishedBeforeTheCutoffWithTheirHistory() {
        store.create(task("tsk_old", "alice", T0), "w");
        store.create(task("tsk_new", "alice", T0), "w");
        store.create(task("tsk_running", "alice", T0), "w");
        TaskRecord old = store.find("tsk_old").orElseThrow();
        store.changeStatus(
                old.withStatus(TaskStatus.COMPLETED, 1, null, null, T0.plusSeconds(1)), TaskStatus.RUNNING, "w");
        TaskRecord recent = store.find("tsk_new").orElseThrow();
        store.changeStatus(
                recent.withStatus(TaskStatus.COMPLETED, 1, null, null, T0.plusSeconds(100)), TaskStatus.RUNNING, "w");

        assertThat(store.deleteFinishedBefore(T0.plusSeconds(50))).isEqualTo(1);

        assertThat(store.find("tsk_old")).isEmpty();
        assertThat(store.history("tsk_old")).isEmpty();
        assertThat(store.find("tsk_new")).isPresent();
        assertThat(store.find("tsk_running")).isPresent();
    }

    @Test
    void largeJsonFieldsAndLongTextsRoundTrip() {
        String big = "{\"x\":\"" + "é".repeat(60_000) + "\"}";
        TaskRecord t = new TaskRecord(
                "tsk_big",
                "alice",
                "k".repeat(100),
                "t".repeat(1024),
                TaskStatus.RUNNING,
                0,
                null,
                "m".repeat(4096),
                null,
                big,
                T0,
                T0,
                null);
        store.create(t, "w");
        TaskRecord done = t.withStatus(TaskStatus.COMPLETED, 0, "m".repeat(4096), big, T0.plusSeconds(1));
        store.changeStatus(done, TaskStatus.RUNNING, "w");
        assertThat(store.find("tsk_big")).contains(done);
    }

    private static List<String> ids(List<TaskRecord> tasks) {
        return tasks.stream().map(TaskRecord::id).toList();
    }

    @Test
    void progressOfATaskInAnotherStatusThanStoredIsNotWritten() {
        TaskRecord t = task("tsk_a", "alice", T0);
        store.create(t, "apikey:w");
        TaskRecord asked = t.withStatus(TaskStatus.CANCEL_REQUESTED, 0, null, null, T0.plusSeconds(1));
        assertThat(store.changeStatus(asked, TaskStatus.RUNNING, "user:alice")).isTrue(); // on another node

        // A node that still has the task as running: its progress is later and further, but stale.
        assertThat(store.saveProgress(t.withProgress(9, 100L, "nine", T0.plusSeconds(2))))
                .isFalse();
        assertThat(store.find("tsk_a")).contains(asked);
        TaskRecord caughtUp = asked.withProgress(9, 100L, "nine", T0.plusSeconds(2));
        assertThat(store.saveProgress(caughtUp)).isTrue();
        assertThat(store.find("tsk_a")).contains(caughtUp);
    }

    @Test
    void progressMadeBeforeAStatusChangeIsNotWrittenOverIt() {
        TaskRecord t = task("tsk_a", "alice", T0);
        store.create(t, "apikey:w");
        TaskRecord early = t.withProgress(7, 100L, "early", T0.plusSeconds(1)); // made, its write delayed
        TaskRecord asked = t.withStatus(TaskStatus.CANCEL_REQUESTED, 7, null, null, T0.plusSeconds(2));
        assertThat(store.changeStatus(asked, TaskStatus.RUNNING, "user:alice")).isTrue();

        assertThat(store.saveProgress(early)).isFalse();
        assertThat(store.find("tsk_a")).contains(asked);
    }

    @Test
    void aStatusChangeAndItsWebhookEventAreWrittenTogetherOrNotAtAll() {
        WebhookStore outbox = new WebhookStore(db);
        TaskRecord t = task("tsk_a", "alice", T0);
        store.create(t, "apikey:w");
        TaskRecord asked = t.withStatus(TaskStatus.CANCEL_REQUESTED, 0, null, null, T0.plusSeconds(1));
        WebhookEvent event = WebhookEvent.pending("evt_1", "task.cancel_requested", T0, "{}");

        assertThat(store.changeStatus(asked, TaskStatus.RUNNING, "user:alice", List.of(event)))
                .isTrue();
        assertThat(outbox.find("evt_1")).isPresent();

        // No change (the status is not the expected one): no event either.
        WebhookEvent second = WebhookEvent.pending("evt_2", "task.cancel_requested", T0, "{}");
        assertThat(store.changeStatus(asked, TaskStatus.RUNNING, "user:alice", List.of(second)))
                .isFalse();
        assertThat(outbox.find("evt_2")).isEmpty();

        // The event cannot be written (its id is taken): the change is rolled back with it.
        TaskRecord failed = asked.withStatus(TaskStatus.FAILED, 0, "no", null, T0.plusSeconds(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> store.changeStatus(failed, TaskStatus.CANCEL_REQUESTED, "apikey:w", List.of(event)))
                .isInstanceOf(StoreException.class);
        assertThat(store.find("tsk_a")).contains(asked);
        assertThat(store.history("tsk_a")).hasSize(2);
    }
}
