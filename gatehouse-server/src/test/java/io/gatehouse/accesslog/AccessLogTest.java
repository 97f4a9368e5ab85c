package io.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.concurrent.Threads;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.store.AccessLogEntry;
import io.gatehouse.store.AccessLogStore;
import io.gatehouse.store.Database;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The access log's buffer and writer thread against a real (H2) database that works, fails, and comes back. */
class AccessLogTest {
    private static final Duration RETENTION = Duration.ofDays(30);
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** An unreachable database costs the pool's connection timeout (5 s) per try. */
    private static final Duration OUTAGE_WAIT = Duration.ofSeconds(30);

    private final GatehouseMetrics metrics = new GatehouseMetrics();
    private Database db;
    private AccessLog log;
    private Server h2Server;

    @AfterEach
    void tearDown() {
        if (log != null) {
            log.close();
        }
        if (db != null) {
            db.close();
        }
        if (h2Server != null) {
            h2Server.stop();
        }
    }

    @Test
    void attemptsOnAnEventLoopNeverWaitForADatabaseThatIsDownAndTheOverflowIsCounted() throws Exception {
        db = memoryDatabase();
        db.close();
        int capacity = 1000;
        // Ten times as many records as the buffer holds are dropped, each without waiting: a
        // blocking call throws on this thread, a wait for room that never comes fails the WAIT
        // below, and so do 10,000 waits of even 1.5 ms each. A 2 s stopwatch on 1,000 drops
        // measured the machine; the time is printed.
        int dropped = 10 * capacity;
        log = AccessLog.start(
                new AccessLogStore(db),
                new GatehouseConfig.AccessLog(RETENTION, capacity),
                metrics,
                Clock.systemUTC(),
                Duration.ofMillis(200));

        // On a thread named like an event loop, where any blocking database call would throw.
        long started = System.nanoTime();
        int records = capacity + dropped;
        CompletableFuture<Void> done = onEventLoop(() -> {
            for (int i = 0; i < records; i++) {
                log.record(AccessLogEntry.attempt(
                        Instant.now(), "10.0.0.1", null, "agent", null, null, "TOKEN_INVALID", null, null));
            }
        });
        done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        System.out.println(records + " records (" + dropped + " dropped) in "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");

        assertThat(metrics.scrape())
                .contains("gatehouse_access_log_dropped_total " + dropped + ".0")
                .contains("gatehouse_connection_attempts_total{outcome=\"TOKEN_INVALID\"} " + records + ".0");
        assertThat(log.held()).isEqualTo(capacity);

        log.close();
        assertThat(metrics.scrape())
                .as("what could not be written at shutdown is counted too")
                .contains("gatehouse_access_log_dropped_total " + (dropped + capacity) + ".0");
    }

    @Test
    void closeWritesEveryBufferedRecordBeforeItReturns() {
        db = memoryDatabase();
        log = start(db, 10_000);
        for (int i = 0; i < 3000; i++) {
            log.record(AccessLogEntry.attempt(
                    Instant.now(), "10.0.0.1", null, null, "u" + i, null, AccessLogEntry.ACCEPTED, null, "c" + i));
        }
        log.close();

        assertThat(new AccessLogStore(db).newest(AccessLogStore.Filter.ALL, 1000))
                .hasSize(1000);
        assertThat(count(db)).isEqualTo(3000);
        assertThat(metrics.scrape()).contains("gatehouse_access_log_dropped_total 0.0");
    }

    @Test
    void recordsHeldWhileTheDatabaseIsDownAreWrittenWhenItComesBack() throws Exception {
        int port = freePort();
        h2Server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists")
                .start();
        db = Database.open(
                "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        ListAppender<ILoggingEvent> warnings = capture();
        log = start(db, 1000);
        try {
            h2Server.stop();
            for (int i = 0; i < 50; i++) {
                log.record(AccessLogEntry.attempt(
                        Instant.now(), "10.0.0.1", null, null, "alice", null, AccessLogEntry.ACCEPTED, null, "c" + i));
            }
            await().atMost(OUTAGE_WAIT).until(() -> logged(warnings, "Could not write the access log"));
            assertThat(log.held()).isEqualTo(50);

            h2Server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists")
                    .start();
            await().atMost(OUTAGE_WAIT).until(() -> log.held() == 0);
        } finally {
            release(warnings);
        }
        assertThat(count(db)).isEqualTo(50);
        assertThat(metrics.scrape()).contains("gatehouse_access_log_dropped_total 0.0");
    }

    @Test
    void anEntryTheDatabaseRefusesIsDroppedAndCountedWhileTheRestAreWritten() {
        db = memoryDatabase();
        log = start(db, 1000);
        log.record(AccessLogEntry.attempt(
                Instant.now(), "10.0.0.1", null, null, "alice", null, AccessLogEntry.ACCEPTED, null, "c1"));
        log.record(AccessLogEntry.attempt(null, "10.0.0.1", null, null, null, null, "TOKEN_MISSING", null, "no-time"));
        log.record(AccessLogEntry.attempt(
                Instant.now(), "10.0.0.1", null, null, "bob", null, AccessLogEntry.ACCEPTED, null, "c2"));
        log.close();

        assertThat(new AccessLogStore(db).newest(AccessLogStore.Filter.ALL, 10))
                .extracting(AccessLogEntry::connectionId)
                .containsExactlyInAnyOrder("c1", "c2");
        assertThat(metrics.scrape()).contains("gatehouse_access_log_dropped_total 1.0");
    }

    @Test
    void aCloseCompletesTheRowOfItsConnectionsAttempt() {
        db = memoryDatabase();
        log = start(db, 1000);
        Instant connected = Instant.parse("2030-01-01T00:00:00Z");
        log.record(AccessLogEntry.attempt(
                connected,
                "10.0.0.1",
                "https://app.example",
                "agent",
                "alice",
                "query",
                AccessLogEntry.ACCEPTED,
                "0a1b2c3d",
                "conn-1"));
        log.record(AccessLogEntry.close(connected.plusMillis(2500), "10.0.0.1", "alice", "conn-1", 1000, 2500));
        log.close();

        assertThat(new AccessLogStore(db).newest(AccessLogStore.Filter.ALL, 10))
                .containsExactly(new AccessLogEntry(
                        connected,
                        "10.0.0.1",
                        "https://app.example",
                        "agent",
                        "alice",
                        "query",
                        AccessLogEntry.ACCEPTED,
                        "0a1b2c3d",
                        "conn-1",
                        1000,
                        2500L));
    }

    @Test
    void rowsOlderThanTheRetentionAreDeletedWhenTheWriterStarts() {
        db = memoryDatabase();
        AccessLogStore store = new AccessLogStore(db);
        Instant now = Instant.now();
        store.write(List.of(
                row(now.minus(RETENTION).minus(Duration.ofHours(1)), "old"),
                row(now.minus(RETENTION).plus(Duration.ofHours(1)), "recent")));

        log = start(db, 1000);

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(store.newest(AccessLogStore.Filter.ALL, 10))
                        .extracting(AccessLogEntry::connectionId)
                        .containsExactly("recent"));
    }

    @Test
    void recordsAfterCloseAreDroppedAndCounted() {
        db = memoryDatabase();
        log = start(db, 1000);
        log.close();

        log.record(
                AccessLogEntry.attempt(Instant.now(), "10.0.0.1", null, null, null, null, "TOKEN_MISSING", null, null));

        assertThat(metrics.scrape()).contains("gatehouse_access_log_dropped_total 1.0");
        assertThat(count(db)).isZero();
    }

    private AccessLog start(Database database, int capacity) {
        return AccessLog.start(
                new AccessLogStore(database),
                new GatehouseConfig.AccessLog(RETENTION, capacity),
                metrics,
                Clock.systemUTC(),
                Duration.ofSeconds(5));
    }

    private static Database memoryDatabase() {
        return Database.open("jdbc:h2:mem:" + UUID.randomUUID(), "sa", "", 2);
    }

    private static AccessLogEntry row(Instant time, String connectionId) {
        return new AccessLogEntry(
                time, "10.0.0.1", null, null, "alice", null, AccessLogEntry.ACCEPTED, null, connectionId, null, null);
    }

    private static long count(Database database) {
        try (var c = database.dataSource().getConnection();
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT COUNT(*) FROM access_log")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<Void> onEventLoop(Runnable work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        work.run();
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                },
                Threads.EVENT_LOOP_PREFIX + "-test");
        t.start();
        return done;
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ListAppender<ILoggingEvent> capture() {
        Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        return appender;
    }

    /** Whether a captured line starts with {@code start}; AppenderBase appends under the appender's lock. */
    private static boolean logged(ListAppender<ILoggingEvent> appender, String start) {
        synchronized (appender) {
            return appender.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith(start));
        }
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.class);
        logger.detachAppender(appender);
        logger.setLevel(null);
    }
}
