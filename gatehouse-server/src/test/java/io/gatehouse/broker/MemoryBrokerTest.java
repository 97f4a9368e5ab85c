package io.gatehouse.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.protocol.StreamPosition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broker contract on the memory broker, plus what only one process can promise: epochs and eviction. */
class MemoryBrokerTest extends BrokerContract {
    private static final Duration IDLE_TTL = Duration.ofHours(1);
    /** More than the idle ttl and the sweep interval together, so the next call sweeps and evicts. */
    private static final Duration LONG_IDLE =
            IDLE_TTL.plus(MemoryBroker.SWEEP_INTERVAL).plusSeconds(1);

    private final List<MemoryBroker> others = new ArrayList<>();

    @Override
    protected Broker newBroker(Clock clock, Function<ChannelName, HistoryRetention> retention) {
        return new MemoryBroker(clock, retention);
    }

    /** A second broker on this test's clock and retention, whose streams idle out after {@link #IDLE_TTL}. */
    private MemoryBroker evictingBroker() {
        MemoryBroker b = new MemoryBroker(clock, this::retention, IDLE_TTL);
        b.start(recorder);
        others.add(b);
        return b;
    }

    @AfterEach
    void closeOthers() {
        others.forEach(MemoryBroker::close);
    }

    @Test
    void aRestartGivesAChannelANewEpochAndOffsetsFromOne() {
        ChannelName news = channel("news", KEEP_100_FOR_AN_HOUR);
        Publication before = publish(news, "{}");

        MemoryBroker restarted = new MemoryBroker(clock, this::retention);
        restarted.start(recorder);
        others.add(restarted);
        StreamPosition after = await(restarted.position(news));

        assertThat(after.offset()).isZero();
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
        assertThat(await(restarted.history(news, HistoryQuery.after(0))).publications())
                .isEmpty();
        assertThat(await(restarted.publish(news, "{}")).offset()).isEqualTo(1);
    }

    @Test
    void epochIsEightLowercaseHexCharacters() {
        assertThat(position(channel("hex", HistoryRetention.NONE)).epoch()).matches("[0-9a-f]{8}");
    }

    @Test
    void defaultIdleTtlLetsAClientOfflineOvernightRecover() {
        assertThat(MemoryBroker.STREAM_IDLE_TTL).isGreaterThanOrEqualTo(Duration.ofHours(24));
    }

    @Test
    void idleStreamIsEvictedAndComesBackWithANewEpochAtOffsetOne() {
        MemoryBroker b = evictingBroker();
        ChannelName quiet = channel("quiet", HistoryRetention.NONE);
        Publication old = await(b.publish(quiet, "{}"));
        await(b.publish(quiet, "{}"));

        clock.advance(LONG_IDLE);
        StreamPosition fresh = await(b.position(quiet));

        assertThat(fresh.offset()).isZero();
        assertThat(fresh.epoch()).isNotEqualTo(old.epoch());
        assertThat(await(b.publish(quiet, "{}")))
                .extracting(Publication::offset, Publication::epoch)
                .containsExactly(1L, fresh.epoch());
    }

    @Test
    void streamReadWithinTheIdleTtlIsNotEvicted() {
        MemoryBroker b = evictingBroker();
        ChannelName watched = channel("watched", HistoryRetention.NONE);
        Publication p = await(b.publish(watched, "{}"));

        for (int i = 0; i < 3; i++) {
            clock.advance(IDLE_TTL.minusMinutes(5));
            assertThat(await(b.position(watched))).isEqualTo(new StreamPosition(1, p.epoch()));
        }
    }

    @Test
    void streamWithKeptHistoryIsNotEvicted() {
        MemoryBroker b = evictingBroker();
        ChannelName archive = channel("archive", new HistoryRetention(10, Duration.ofHours(48)));
        Publication p = await(b.publish(archive, "{}"));

        clock.advance(LONG_IDLE.multipliedBy(2));
        await(b.position(channel("other", HistoryRetention.NONE)));

        assertThat(await(b.position(archive))).isEqualTo(new StreamPosition(1, p.epoch()));
        assertThat(await(b.history(archive, HistoryQuery.after(0))).publications())
                .containsExactly(p);
    }

    @Test
    void streamWhoseHistoryExpiredIsEvictedOnceIdle() {
        MemoryBroker b = evictingBroker();
        ChannelName brief = channel("brief", new HistoryRetention(10, Duration.ofMinutes(10)));
        Publication p = await(b.publish(brief, "{}"));

        clock.advance(LONG_IDLE);

        assertThat(await(b.position(brief)).epoch()).isNotEqualTo(p.epoch());
    }

    @Test
    void evictionRacingPublishersNeverLosesOrDuplicatesAnOffsetNorRevivesAnOldEpoch() throws Exception {
        MemoryBroker b = evictingBroker();
        List<ChannelName> channels =
                List.of(channel("churn-a", HistoryRetention.NONE), channel("churn-b", HistoryRetention.NONE));
        int threads = 4;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<List<Publication>>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                workers.add(CompletableFuture.supplyAsync(
                        () -> {
                            List<Publication> returned = new ArrayList<>();
                            awaitQuietly(go);
                            for (int i = 0; i < perThread; i++) {
                                if (i % 5 == 0) {
                                    // Every stream is now idle: the next call sweeps while others publish.
                                    clock.advance(LONG_IDLE);
                                }
                                returned.add(await(b.publish(channels.get(i % 2), "{}")));
                            }
                            return returned;
                        },
                        pool));
            }
            go.countDown();
            CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        List<Publication> returned =
                workers.stream().flatMap(w -> w.join().stream()).toList();
        assertThat(returned)
                .hasSize(threads * perThread)
                .extracting(p -> p.channel() + " " + p.epoch() + " " + p.offset())
                .doesNotHaveDuplicates();
        Map<String, List<Publication>> delivered = recorder.awaitByChannel(threads * perThread);
        recorder.assertNoMorePublications();
        assertThat(delivered.values().stream().mapToInt(List::size).sum()).isEqualTo(threads * perThread);
        for (ChannelName c : channels) {
            List<List<Publication>> runs = epochRuns(delivered.get(c.value()));
            assertThat(runs).as("epochs of %s", c).hasSizeGreaterThan(1);
            assertThat(runs)
                    .extracting(run -> run.get(0).epoch())
                    .as("an epoch of %s came back", c)
                    .doesNotHaveDuplicates();
            for (List<Publication> run : runs) {
                assertThat(offsets(run))
                        .as("%s in epoch %s", c, run.get(0).epoch())
                        .isEqualTo(range(1, run.size()));
            }
        }
    }

    @Test
    void closeEndsTheDeliveryThreadsAndRefusesWhatIsPublishedAfter() throws Exception {
        ChannelName news = channel("news", HistoryRetention.NONE);
        CompletableFuture<Thread> deliveredOn = new CompletableFuture<>();
        recorder.duringPublication(p -> deliveredOn.complete(Thread.currentThread()));
        publish(news, "{}");
        Thread delivery = deliveredOn.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(delivery.getName()).startsWith("gatehouse-delivery-");
        assertThat(delivery.isDaemon()).isTrue();

        broker.close();

        delivery.join(TIMEOUT.toMillis());
        assertThat(delivery.isAlive()).as("%s after close", delivery.getName()).isFalse();
        assertThat(broker.publish(news, "{}").toCompletableFuture()).isCompletedExceptionally();
        assertThat(broker.publishControl(new ControlCommand.DisconnectUser("alice", RefusalCode.DISCONNECTED.refusal()))
                        .toCompletableFuture())
                .isCompletedExceptionally();
        broker.close(); // idempotent
    }

    @Test
    void aChannelWhoseDeliveryCannotKeepUpRefusesPublishesBeforeTakingAnOffset() throws Exception {
        ChannelName slow = channel("slow", HistoryRetention.NONE);
        ChannelName other = channel("other", HistoryRetention.NONE);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        recorder.duringPublication(p -> {
            if (p.channel().equals(slow.value())) {
                blocked.countDown();
                awaitQuietly(release);
            }
        });
        publish(slow, "{}"); // offset 1, its delivery now blocks the lane
        assertThat(blocked.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        for (int i = 0; i < MemoryBroker.MAX_BACKLOG; i++) {
            publish(slow, "{}");
        }

        CompletableFuture<Publication> refused = broker.publish(slow, "{}").toCompletableFuture();
        assertThat(refused).isCompletedExceptionally();
        assertThat(RefusalException.refusalOf(refused.handle((p, e) -> e).join()))
                .extracting(Refusal::code)
                .isEqualTo(RefusalCode.RATE_LIMITED);
        // Other channels are not held up, and the refused publish took no offset.
        assertThat(publish(other, "{}").offset()).isEqualTo(1);
        release.countDown();
        assertThat(await(broker.position(slow)).offset()).isEqualTo(MemoryBroker.MAX_BACKLOG + 1L);
    }

    /** {@code inOrder} cut where the epoch changes. */
    private static List<List<Publication>> epochRuns(List<Publication> inOrder) {
        List<List<Publication>> runs = new ArrayList<>();
        for (Publication p : inOrder) {
            if (runs.isEmpty() || !runs.get(runs.size() - 1).get(0).epoch().equals(p.epoch())) {
                runs.add(new ArrayList<>());
            }
            runs.get(runs.size() - 1).add(p);
        }
        return runs;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
