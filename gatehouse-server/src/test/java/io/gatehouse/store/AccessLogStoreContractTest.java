package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract of {@link AccessLogStore}, run on every database Gatehouse supports. Each subclass
 * names the database ({@link TestDatabases}), which gives every test its own empty, migrated one.
 */
abstract class AccessLogStoreContractTest {
    /** Has a non-zero microsecond part, so a lossy timestamp column would show. */
    static final Instant T0 = Instant.parse("2030-01-02T03:04:05.123456Z");

    private Database db;
    private AccessLogStore store;

    @RegisterExtension
    final TestDatabases databases;

    AccessLogStoreContractTest(TestDatabases databases) {
        this.databases = databases;
    }

    @BeforeEach
    void open() {
        db = databases.open();
        store = new AccessLogStore(db);
    }

    @Test
    void anAttemptReadsBackWithEveryField() {
        AccessLogEntry written = new AccessLogEntry(
                T0,
                "2001:db8::1",
                "https://app.example",
                "Mozilla/5.0",
                "alice",
                "authorization_header",
                "ACCEPTED",
                "0a1b2c3d",
                "c0ffee",
                null,
                null);
        store.write(List.of(written));

        assertThat(store.newest(AccessLogStore.Filter.ALL, 10)).containsExactly(written);
    }

    @Test
    void aRefusalWithoutUserOrCredentialKeepsThoseNull() {
        AccessLogEntry written = attempt(T0, "10.0.0.1", null, "TOKEN_MISSING", "c1");
        store.write(List.of(written));

        AccessLogEntry read = store.newest(AccessLogStore.Filter.ALL, 10).get(0);
        assertThat(read).isEqualTo(written);
        assertThat(read.userId()).isNull();
        assertThat(read.closeCode()).isNull();
        assertThat(read.durationMillis()).isNull();
    }

    @Test
    void aCloseCompletesTheRowOfItsAcceptedAttempt() {
        store.write(List.of(attempt(T0, "10.0.0.1", "alice", "ACCEPTED", "conn-1")));
        store.write(List.of(close(T0, "conn-1", 1000, 1234)));

        List<AccessLogEntry> rows = store.newest(AccessLogStore.Filter.ALL, 10);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).outcome()).isEqualTo("ACCEPTED");
        assertThat(rows.get(0).time()).isEqualTo(T0);
        assertThat(rows.get(0).method()).isEqualTo("query");
        assertThat(rows.get(0).closeCode()).isEqualTo(1000);
        assertThat(rows.get(0).durationMillis()).isEqualTo(1234L);
    }

    @Test
    void anAttemptAndItsCloseMayShareOneBatch() {
        store.write(List.of(attempt(T0, "10.0.0.1", "alice", "ACCEPTED", "conn-1"), close(T0, "conn-1", 4401, 5)));

        assertThat(store.newest(AccessLogStore.Filter.ALL, 10))
                .singleElement()
                .satisfies(e -> assertThat(e.closeCode()).isEqualTo(4401));
    }

    @Test
    void aCloseWhoseAttemptIsGoneIsARowOfItsOwn() {
        AccessLogEntry orphan = close(T0, "conn-9", 1001, 60_000);
        store.write(List.of(orphan));

        assertThat(store.newest(AccessLogStore.Filter.ALL, 10)).containsExactly(orphan);
    }

    @Test
    void aCloseDoesNotTouchARefusedAttemptOrAnAlreadyClosedRow() {
        store.write(List.of(attempt(T0, "10.0.0.1", null, "TOKEN_INVALID", "conn-1")));
        store.write(List.of(close(T0.plusSeconds(1), "conn-1", 1000, 10)));
        store.write(List.of(close(T0.plusSeconds(1), "conn-1", 1000, 10)));

        List<AccessLogEntry> rows = store.newest(AccessLogStore.Filter.ALL, 10);
        assertThat(rows).hasSize(3);
        assertThat(rows)
                .filteredOn(e -> e.outcome().equals("TOKEN_INVALID"))
                .singleElement()
                .satisfies(e -> assertThat(e.closeCode()).isNull());
    }

    @Test
    void newestComesFirstAndLimitCuts() {
        List<AccessLogEntry> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(attempt(T0.plusSeconds(i), "10.0.0.1", "alice", "ACCEPTED", "conn-" + i));
        }
        store.write(all);

        assertThat(store.newest(AccessLogStore.Filter.ALL, 3))
                .extracting(AccessLogEntry::connectionId)
                .containsExactly("conn-4", "conn-3", "conn-2");
    }

    @Test
    void filtersMatchOutcomeUserAndIpExactlyAndCombine() {
        store.write(List.of(
                attempt(T0, "10.0.0.1", "alice", "ACCEPTED", "a1"),
                attempt(T0.plusSeconds(1), "10.0.0.2", "alice", "ACCEPTED", "a2"),
                attempt(T0.plusSeconds(2), "10.0.0.1", null, "TOKEN_INVALID", "x1"),
                attempt(T0.plusSeconds(3), "10.0.0.1", "bob", "ACCEPTED", "b1"),
                attempt(T0.plusSeconds(4), "10.0.0.10", "alicea", "ACCEPTED", "z1")));

        assertThat(ids(new AccessLogStore.Filter("TOKEN_INVALID", null, null))).containsExactly("x1");
        assertThat(ids(new AccessLogStore.Filter(null, "alice", null))).containsExactly("a2", "a1");
        assertThat(ids(new AccessLogStore.Filter(null, null, "10.0.0.1"))).containsExactly("b1", "x1", "a1");
        assertThat(ids(new AccessLogStore.Filter("ACCEPTED", "alice", "10.0.0.1")))
                .containsExactly("a1");
        assertThat(ids(new AccessLogStore.Filter(null, "carol", null))).isEmpty();
    }

    @Test
    void refusedSinceAndUntilFilterAndCombineWithTheOthers() {
        store.write(List.of(
                attempt(T0, "10.0.0.1", "alice", "ACCEPTED", "a0"),
                attempt(T0.plusSeconds(1), "10.0.0.1", null, "TOKEN_INVALID", "x1"),
                attempt(T0.plusSeconds(2), "10.0.0.2", null, "ORIGIN_NOT_ALLOWED", "x2"),
                attempt(T0.plusSeconds(3), "10.0.0.1", "bob", "ACCEPTED", "b3"),
                attempt(T0.plusSeconds(4), "10.0.0.1", null, "TOKEN_INVALID", "x4")));

        assertThat(ids(filter(null, null, true, null, null))).containsExactly("x4", "x2", "x1");
        assertThat(ids(filter("TOKEN_INVALID", null, true, null, null))).containsExactly("x4", "x1");
        assertThat(ids(filter(null, "10.0.0.1", true, null, null))).containsExactly("x4", "x1");
        // since is inclusive, until exclusive, to the microsecond the column keeps
        assertThat(ids(filter(null, null, false, T0.plusSeconds(1), null))).containsExactly("x4", "b3", "x2", "x1");
        assertThat(ids(filter(null, null, false, null, T0.plusSeconds(3)))).containsExactly("x2", "x1", "a0");
        assertThat(ids(filter(null, null, false, T0.plusSeconds(1), T0.plusSeconds(3))))
                .containsExactly("x2", "x1");
        assertThat(ids(filter(null, null, true, T0.plusSeconds(2), T0.plusSeconds(5))))
                .containsExactly("x4", "x2");
        assertThat(ids(filter(
                        null,
                        null,
                        false,
                        T0.plusNanos(1_000),
                        T0.plusSeconds(1).plusNanos(1_000))))
                .containsExactly("x1");
        assertThat(ids(filter(null, null, false, T0.plusSeconds(5), null))).isEmpty();
        assertThat(ids(filter("ACCEPTED", null, true, null, null))).isEmpty();
    }

    @Test
    void anAdminActionReadsBackWithItsActionAndTargetAndNoCloseCompletesIt() {
        AccessLogEntry action = AccessLogEntry.action(
                T0,
                "10.0.0.9",
                "https://gw.example",
                "Mozilla/5.0",
                "local:root",
                "cookie",
                "0a1b2c3d",
                "connection.disconnect",
                "c0ffee code=DISCONNECTED");
        store.write(List.of(attempt(T0, "10.0.0.1", "alice", "ACCEPTED", "c0ffee"), action));
        store.write(List.of(close(T0, "c0ffee", 4410, 5)));

        List<AccessLogEntry> rows = store.newest(AccessLogStore.Filter.ALL, 10);
        assertThat(rows).hasSize(2).contains(action);
        assertThat(rows)
                .filteredOn(e -> e.action() == null)
                .singleElement()
                .satisfies(e -> assertThat(e.closeCode()).isEqualTo(4410));
        assertThat(ids(new AccessLogStore.Filter(null, "local:root", null))).containsExactly((String) null);
    }

    private static AccessLogStore.Filter filter(
            String outcome, String ip, boolean refused, Instant since, Instant until) {
        return new AccessLogStore.Filter(outcome, null, ip, refused, since, until);
    }

    @Test
    void oneCallWritesMoreThanOneBatchWorthInOneTransaction() {
        List<AccessLogEntry> many = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            many.add(attempt(T0.plusMillis(i), "10.0.0.1", "u" + (i % 7), "ACCEPTED", "c" + i));
        }
        store.write(many);

        assertThat(count()).isEqualTo(1200);
    }

    @Test
    void longAndHostileTextIsCutToTheColumnAndControlCharactersReplaced() {
        String agent = "evil\r\nX-Forged: 1\u0000" + "a".repeat(2000);
        String userId = "\uD83D\uDE00".repeat(200); // 400 chars of surrogate pairs; the column holds 255
        store.write(List.of(new AccessLogEntry(
                T0, "10.0.0.1", "o".repeat(600), agent, userId, "query", "ACCEPTED", "0a1b2c3d", "c1", null, null)));

        AccessLogEntry read = store.newest(AccessLogStore.Filter.ALL, 1).get(0);
        assertThat(read.userAgent())
                .hasSize(512)
                .startsWith("evil??X-Forged: 1?aaa")
                .doesNotContain("\r", "\n", "\u0000");
        assertThat(read.origin()).hasSize(512);
        assertThat(read.userId()).hasSize(254).isEqualTo("\uD83D\uDE00".repeat(127));
    }

    @Test
    void aFailingBatchWritesNothing() {
        AccessLogEntry good = attempt(T0, "10.0.0.1", "alice", "ACCEPTED", "c1");
        AccessLogEntry bad =
                new AccessLogEntry(null, "10.0.0.1", null, null, null, null, "ACCEPTED", null, "c2", null, null);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.write(List.of(good, bad)))
                .isInstanceOf(StoreException.class);
        assertThat(count()).isZero();
    }

    @Test
    void deleteOlderThanRemovesOnlyOlderAttempts() {
        store.write(List.of(
                attempt(T0.minus(Duration.ofDays(31)), "10.0.0.1", "alice", "ACCEPTED", "old"),
                attempt(T0.minus(Duration.ofDays(29)), "10.0.0.1", "alice", "ACCEPTED", "recent"),
                attempt(T0, "10.0.0.1", "alice", "ACCEPTED", "now")));

        assertThat(store.deleteOlderThan(T0.minus(Duration.ofDays(30)))).isEqualTo(1);
        assertThat(ids(AccessLogStore.Filter.ALL)).containsExactly("now", "recent");
    }

    @Test
    void aClosedDatabaseIsUnreachableAndWritesFail() {
        assertThat(store.isReachable()).isTrue();
        db.close();
        assertThat(store.isReachable()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> store.write(List.of(attempt(T0, "10.0.0.1", null, "TOKEN_MISSING", "c"))))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("Could not write 1 access-log entries");
    }

    private List<String> ids(AccessLogStore.Filter filter) {
        return store.newest(filter, 100).stream()
                .map(AccessLogEntry::connectionId)
                .toList();
    }

    private long count() {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM access_log")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AccessLogEntry attempt(Instant time, String ip, String userId, String outcome, String connectionId) {
        return new AccessLogEntry(
                time,
                ip,
                "https://app.example",
                "test-agent",
                userId,
                "query",
                outcome,
                "0a1b2c3d",
                connectionId,
                null,
                null);
    }

    private static AccessLogEntry close(Instant connectedAt, String connectionId, int code, long millis) {
        return new AccessLogEntry(
                connectedAt, "10.0.0.1", null, null, "alice", null, "ACCEPTED", null, connectionId, code, millis);
    }
}
