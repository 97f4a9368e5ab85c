package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract of {@link WebhookStore}, run on every database Gatehouse supports. Each subclass
 * names the database ({@link TestDatabases}), which gives every test its own empty, migrated one.
 */
abstract class WebhookStoreContractTest {
    /** Has a non-zero microsecond part, so a lossy timestamp column would show. */
    static final Instant T0 = Instant.parse("2030-01-02T03:04:05.123456Z");

    private Database db;
    private WebhookStore store;

    @RegisterExtension
    final TestDatabases databases;

    WebhookStoreContractTest(TestDatabases databases) {
        this.databases = databases;
    }

    @BeforeEach
    void open() {
        db = databases.open();
        store = new WebhookStore(db);
    }

    @Test
    void anEventReadsBackWithEveryFieldAndTheBodyByteForByte() {
        String body = "{\"id\":\"evt_1\",\"type\":\"connection.opened\",\"data\":{\"name\":\"Zoë \uD83D\uDE00\"}}";
        WebhookEvent e = WebhookEvent.pending("evt_1", "connection.opened", T0, body);
        store.insert(List.of(e));

        assertThat(store.find("evt_1")).contains(e);
        assertThat(store.pendingCount()).isEqualTo(1);
    }

    @Test
    void dueListsPendingEventsDueByNowOldestFirstAndLimitCuts() {
        store.insert(List.of(
                WebhookEvent.pending("evt_b", "t", T0.plusSeconds(2), "{}"),
                WebhookEvent.pending("evt_a", "t", T0.plusSeconds(1), "{}"),
                WebhookEvent.pending("evt_later", "t", T0.plusSeconds(60), "{}")));

        assertThat(store.due(T0.plusSeconds(10), 10))
                .extracting(WebhookEvent::id)
                .containsExactly("evt_a", "evt_b");
        assertThat(store.due(T0.plusSeconds(10), 1))
                .extracting(WebhookEvent::id)
                .containsExactly("evt_a");
        assertThat(store.due(T0, 10)).isEmpty();
    }

    @Test
    void aClaimTakesAnEventOnceAndMovesItOutOfDue() {
        store.insert(List.of(WebhookEvent.pending("evt_1", "t", T0, "{}")));
        WebhookEvent read = store.due(T0, 10).get(0);

        assertThat(store.claim(read, T0.plusSeconds(30))).isTrue();
        assertThat(store.claim(read, T0.plusSeconds(30)))
                .as("a second worker with the same read")
                .isFalse();
        assertThat(store.due(T0.plusSeconds(29), 10)).isEmpty();
        assertThat(store.due(T0.plusSeconds(30), 10))
                .as("due again when the lease ends")
                .hasSize(1);
    }

    @Test
    void aFailedAttemptCountsKeepsTheErrorAndSetsTheNextAttempt() {
        store.insert(List.of(WebhookEvent.pending("evt_1", "t", T0, "{}")));
        store.failed("evt_1", "HTTP 503", T0, T0.plusSeconds(5));

        WebhookEvent e = store.find("evt_1").orElseThrow();
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.lastError()).isEqualTo("HTTP 503");
        assertThat(e.nextAttemptAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(e.status()).isEqualTo(WebhookEvent.Status.PENDING);
    }

    @Test
    void deliveredEventsLeaveTheQueueAndAreDeletedAfterTheCutoff() {
        store.insert(
                List.of(WebhookEvent.pending("evt_1", "t", T0, "{}"), WebhookEvent.pending("evt_2", "t", T0, "{}")));
        store.delivered("evt_1", T0.plusSeconds(1));

        assertThat(store.find("evt_1").orElseThrow().status()).isEqualTo(WebhookEvent.Status.DELIVERED);
        assertThat(store.pendingCount()).isEqualTo(1);
        assertThat(store.due(T0.plusSeconds(5), 10))
                .extracting(WebhookEvent::id)
                .containsExactly("evt_2");
        assertThat(store.deleteDeliveredBefore(T0.plusSeconds(1))).isZero();
        assertThat(store.deleteDeliveredBefore(T0.plus(Duration.ofDays(1)))).isEqualTo(1);
        assertThat(store.find("evt_1")).isEmpty();
        assertThat(store.find("evt_2")).isPresent();
    }

    @Test
    void deadEventsAreListedNewestFirstAndARetryMakesThemPendingAndDueOnce() {
        store.insert(
                List.of(WebhookEvent.pending("evt_1", "t", T0, "{}"), WebhookEvent.pending("evt_2", "t", T0, "{}")));
        store.dead("evt_1", "HTTP 500", T0.plusSeconds(1));
        store.dead("evt_2", "connection refused", T0.plusSeconds(2));

        assertThat(store.pendingCount()).isZero();
        assertThat(store.dead(10)).extracting(WebhookEvent::id).containsExactly("evt_2", "evt_1");
        assertThat(store.dead(10).get(0).lastError()).isEqualTo("connection refused");
        assertThat(store.dead(10).get(0).attempts()).isEqualTo(1);

        assertThat(store.retry("evt_1", T0.plusSeconds(3))).isTrue();
        assertThat(store.retry("evt_1", T0.plusSeconds(3))).as("no longer dead").isFalse();
        assertThat(store.retry("evt_unknown", T0)).isFalse();
        WebhookEvent retried = store.find("evt_1").orElseThrow();
        assertThat(retried.status()).isEqualTo(WebhookEvent.Status.PENDING);
        assertThat(retried.attempts()).isZero();
        assertThat(store.due(T0.plusSeconds(3), 10))
                .extracting(WebhookEvent::id)
                .containsExactly("evt_1");
        assertThat(store.dead(10)).extracting(WebhookEvent::id).containsExactly("evt_2");
    }

    @Test
    void aRevocationAndItsEventsCommitTogetherOrNotAtAll() {
        RevocationStore journal = new RevocationStore(db);
        journal.append(
                Revocation.Kind.CREDENTIAL, "ght_aaaaaaaa", T0, List.of(WebhookEvent.pending("evt_1", "t", T0, "{}")));

        assertThat(journal.after(0, 10)).extracting(Revocation::subject).containsExactly("ght_aaaaaaaa");
        assertThat(store.find("evt_1")).isPresent();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> journal.append(
                        Revocation.Kind.CREDENTIAL,
                        "ght_bbbbbbbb",
                        T0,
                        List.of(WebhookEvent.pending("evt_1", "t", T0, "{}"))))
                .isInstanceOf(StoreException.class);
        assertThat(journal.after(0, 10))
                .as("the refused event took its entry with it")
                .hasSize(1);
    }

    @Test
    void aLongErrorIsCutToTheColumn() {
        store.insert(List.of(WebhookEvent.pending("evt_1", "t", T0, "{}")));
        store.failed("evt_1", "x".repeat(5000) + "\r\n", T0, T0);

        assertThat(store.find("evt_1").orElseThrow().lastError()).hasSize(1000);
    }

    @Test
    void manyEventsGoInOneTransactionAndADuplicateIdWritesNone() {
        List<WebhookEvent> many = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            many.add(WebhookEvent.pending("evt_" + i, "t", T0, "{}"));
        }
        store.insert(many);
        assertThat(store.pendingCount()).isEqualTo(1200);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.insert(List.of(
                        WebhookEvent.pending("evt_new", "t", T0, "{}"), WebhookEvent.pending("evt_0", "t", T0, "{}"))))
                .isInstanceOf(StoreException.class);
        assertThat(store.find("evt_new")).isEmpty();
    }
}
