package io.gatehouse.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.HistoryRetention;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarantees of {@link Broker}, run against every implementation. Each test gets a fresh,
 * started broker on a clock that moves only when the test says so, and channel names of its own.
 */
abstract class BrokerContract {
    static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final HistoryRetention KEEP_100_FOR_AN_HOUR = new HistoryRetention(100, Duration.ofHours(1));

    protected final MutableClock clock = new MutableClock(T0);
    protected final RecordingListener recorder = new RecordingListener();
    /** Channel value to its retention; channels not in it keep nothing. */
    private final Map<String, HistoryRetention> retentions = new ConcurrentHashMap<>();
    /** Makes this test's channel names its own, for brokers whose state outlives one instance. */
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    protected Broker broker;

    /** A new broker that reads time from {@code clock} and asks {@code retention} what each channel keeps. */
    protected abstract Broker newBroker(Clock clock, Function<ChannelName, HistoryRetention> retention);

    /** Lets {@code d} pass for the broker; one that measures time elsewhere overrides this. */
    protected void passTime(Duration d) {
        clock.advance(d);
    }

    @BeforeEach
    void startBroker() {
        broker = newBroker(clock, this::retention);
        broker.start(recorder);
    }

    @AfterEach
    void closeBroker() {
        broker.close();
    }

    /** What the retention function given to brokers answers for {@code channel}. */
    protected HistoryRetention retention(ChannelName channel) {
        return retentions.getOrDefault(channel.value(), HistoryRetention.NONE);
    }

    /** A channel of this test that keeps {@code retention}, subscribed to by this node. */
    protected ChannelName channel(String name, HistoryRetention retention) {
        ChannelName channel = ChannelName.parse(name + "-" + run).orElseThrow();
        retentions.put(channel.value(), retention);
        await(broker.subscribe(channel));
        return channel;
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("broker stage did not complete: " + e, e);
        }
    }

    Publication publish(ChannelName channel, String dataJson) {
        return await(broker.publish(channel, dataJson));
    }

    List<Publication> publish(ChannelName channel, int count) {
        List<Publication> published = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            published.add(publish(channel, "{\"n\":" + i + "}"));
        }
        return published;
    }

    StreamPosition position(ChannelName channel) {
        return await(broker.position(channel));
    }

    HistoryPage history(ChannelName channel, HistoryQuery query) {
        return await(broker.history(channel, query));
    }

    static List<Long> offsets(List<Publication> publications) {
        return publications.stream().map(Publication::offset).toList();
    }

    static List<Long> range(long firstInclusive, long lastInclusive) {
        return LongStream.rangeClosed(firstInclusive, lastInclusive).boxed().toList();
    }

    // --- Offsets and delivery

    @Test
    void concurrentPublishersOnTwoChannelsGetEveryOffsetOnceDeliveredInOffsetOrder() throws Exception {
        ChannelName a = channel("race-a", HistoryRetention.NONE);
        ChannelName b = channel("race-b", KEEP_100_FOR_AN_HOUR);
        int threads = 4;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Publication>> returned = new CopyOnWriteArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        returned.add(broker.publish(i % 2 == 0 ? a : b, "{}").toCompletableFuture());
                    }
                    return null;
                });
            }
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .isTrue();
        } finally {
            pool.shutdownNow();
        }

        int total = threads * perThread;
        List<Publication> delivered = recorder.awaitPublications(total);
        recorder.assertNoMorePublications();
        List<Publication> results = returned.stream().map(BrokerContract::await).toList();
        for (ChannelName c : List.of(a, b)) {
            List<Publication> inOrder = delivered.stream()
                    .filter(p -> p.channel().equals(c.value()))
                    .toList();
            assertThat(offsets(inOrder)).as("delivered to %s", c).isEqualTo(range(1, total / 2));
            assertThat(inOrder)
                    .extracting(Publication::epoch)
                    .containsOnly(inOrder.get(0).epoch());
            List<Publication> ofChannel =
                    results.stream().filter(p -> p.channel().equals(c.value())).toList();
            assertThat(offsets(ofChannel))
                    .as("returned on %s", c)
                    .containsExactlyInAnyOrderElementsOf(range(1, total / 2));
            assertThat(position(c))
                    .isEqualTo(new StreamPosition(total / 2, inOrder.get(0).epoch()));
        }
    }

    @Test
    void publishReturnsTheAssignedOffsetAndEpochAndPositionAgrees() {
        ChannelName news = channel("news", KEEP_100_FOR_AN_HOUR);

        Publication first = publish(news, "{\"title\":\"one\"}");
        passTime(Duration.ofSeconds(5));
        Publication second = publish(news, "{\"title\":\"two\"}");

        assertThat(first).isEqualTo(new Publication(news.value(), 1, first.epoch(), "{\"title\":\"one\"}", T0));
        assertThat(second)
                .isEqualTo(new Publication(news.value(), 2, first.epoch(), "{\"title\":\"two\"}", T0.plusSeconds(5)));
        assertThat(position(news)).isEqualTo(new StreamPosition(2, first.epoch()));
        assertThat(recorder.awaitPublications(2)).containsExactly(first, second);
    }

    @Test
    void epochBeforeTheFirstPublicationIsTheEpochItGetsAndStaysStable() {
        ChannelName quiet = channel("quiet", HistoryRetention.NONE);

        StreamPosition before = position(quiet);
        List<Publication> published = publish(quiet, 5);

        assertThat(before.offset()).isZero();
        assertThat(before.epoch()).isNotBlank();
        assertThat(published).extracting(Publication::epoch).containsOnly(before.epoch());
        assertThat(position(quiet)).isEqualTo(new StreamPosition(5, before.epoch()));
    }

    @Test
    void channelsHaveOffsetsOfTheirOwn() {
        ChannelName a = channel("own-a", HistoryRetention.NONE);
        ChannelName b = channel("own-b", HistoryRetention.NONE);

        publish(a, 3);
        Publication onB = publish(b, "{}");

        assertThat(onB.offset()).isEqualTo(1);
        assertThat(position(a).offset()).isEqualTo(3);
    }

    @Test
    void publicationIsInHistoryWhenTheListenerReceivesIt() {
        ChannelName live = channel("live", KEEP_100_FOR_AN_HOUR);
        Map<Long, CompletionStage<HistoryPage>> readInsideListener = new ConcurrentHashMap<>();
        recorder.duringPublication(p ->
                readInsideListener.put(p.offset(), broker.history(live, HistoryQuery.after(p.offset() - 1, 1))));

        List<Publication> published = publish(live, 3);
        recorder.awaitPublications(3);

        for (Publication p : published) {
            HistoryPage page = await(readInsideListener.get(p.offset()));
            assertThat(page.publications()).containsExactly(p);
            assertThat(page.position().offset()).isGreaterThanOrEqualTo(p.offset());
        }
    }

    // --- Delivery without the publisher

    @Test
    void publishCompletesWhileTheListenerIsBlockedOnTheChannelAndOtherChannelsAreDeliveredMeanwhile() {
        ChannelName slow = channel("slow", KEEP_100_FOR_AN_HOUR);
        ChannelName fast = channel("fast", HistoryRetention.NONE);
        try (ListenerGate gate = gate(slow)) {
            List<Publication> onSlow = offThePublishersThread(() -> publish(slow, 3));
            gate.awaitEntered();

            // Kept while the listener still holds the first ...
            assertThat(history(slow, HistoryQuery.after(0)).publications()).isEqualTo(onSlow);
            // ... and another channel does not wait for it.
            Publication onFast = offThePublishersThread(() -> publish(fast, "{}"));
            assertThat(recorder.awaitPublications(1)).containsExactly(onFast);

            gate.release();
            assertThat(recorder.awaitPublications(3)).isEqualTo(onSlow);
            recorder.assertNoMorePublications();
        }
    }

    @Test
    void eachChannelIsDeliveredOneAtATimeInOffsetOrderWhileConcurrentPublishersRace() throws Exception {
        List<ChannelName> channels = List.of(
                channel("order-a", HistoryRetention.NONE),
                channel("order-b", KEEP_100_FOR_AN_HOUR),
                channel("order-c", HistoryRetention.NONE));
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        recorder.duringPublication(p -> {
            AtomicInteger running = inFlight.computeIfAbsent(p.channel(), k -> new AtomicInteger());
            if (running.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            Thread.yield(); // room for a second delivery of the channel to overlap this one
            running.decrementAndGet();
        });
        int threads = 4;
        int perThread = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Publication>> returned = new CopyOnWriteArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int first = t;
                pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        ChannelName c = channels.get((first + i) % channels.size());
                        returned.add(broker.publish(c, "{}").toCompletableFuture());
                    }
                    return null;
                });
            }
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .isTrue();
        } finally {
            pool.shutdownNow();
        }

        List<Publication> delivered = recorder.awaitPublications(threads * perThread);
        recorder.assertNoMorePublications();
        assertThat(overlaps).as("deliveries of one channel that overlapped").hasValue(0);
        for (ChannelName c : channels) {
            long published = returned.stream()
                    .map(BrokerContract::await)
                    .filter(p -> p.channel().equals(c.value()))
                    .count();
            List<Publication> inOrder = delivered.stream()
                    .filter(p -> p.channel().equals(c.value()))
                    .toList();
            assertThat(offsets(inOrder)).as("delivered to %s", c).isEqualTo(range(1, published));
        }
    }

    @Test
    void joinsAndLeavesKeepTheirPlaceAmongTheChannelsPublications() {
        ChannelName room = channel("room-order", HistoryRetention.NONE);
        PresenceClient alice = client("c-1", "alice", T0);
        PresenceEvent join = new PresenceEvent(room, PresenceEvent.Kind.JOIN, alice);
        PresenceEvent leave = new PresenceEvent(room, PresenceEvent.Kind.LEAVE, alice);
        try (ListenerGate gate = gate(room)) {
            List<Object> published = offThePublishersThread(() -> {
                Publication first = publish(room, "{\"n\":1}");
                await(broker.publishPresenceEvent(join));
                Publication second = publish(room, "{\"n\":2}");
                await(broker.publishPresenceEvent(leave));
                return List.of(first, join, second, leave);
            });
            gate.awaitEntered();
            recorder.assertNothingDeliveredFor(Duration.ofMillis(100)); // the join waits behind the first

            gate.release();
            assertThat(recorder.awaitDeliveries(4)).isEqualTo(published);
        }
    }

    @Test
    void aControlCommandIsNotHeldUpByAChannelWhoseListenerIsBlocked() {
        ChannelName busy = channel("busy", HistoryRetention.NONE);
        ControlCommand disconnect = new ControlCommand.DisconnectUser("alice", RefusalCode.TOKEN_REVOKED.refusal());
        try (ListenerGate gate = gate(busy)) {
            offThePublishersThread(() -> publish(busy, "{}"));
            gate.awaitEntered();

            offThePublishersThread(() -> await(broker.publishControl(disconnect)));

            assertThat(recorder.awaitControl()).isEqualTo(disconnect);
        }
    }

    @Test
    void aListenerThatThrowsDoesNotStopLaterDeliveries() {
        ChannelName flaky = channel("flaky", HistoryRetention.NONE);
        recorder.duringPublication(p -> {
            if (p.offset() == 1) {
                throw new IllegalStateException("a listener bug (this test throws it on purpose)");
            }
        });

        List<Publication> published = publish(flaky, 3);

        assertThat(recorder.awaitPublications(2)).isEqualTo(published.subList(1, 3));
        ControlCommand command = new ControlCommand.DisconnectUser("bob", RefusalCode.TOKEN_REVOKED.refusal());
        await(broker.publishControl(command));
        assertThat(recorder.awaitControl()).isEqualTo(command);
    }

    /**
     * Runs {@code publishing} on a thread of its own and waits for it (bounded): an implementation
     * whose publish waits for the listener then fails the test instead of hanging it.
     */
    static <T> T offThePublishersThread(Callable<T> publishing) {
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try {
            return publisher.submit(publishing).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the publisher waited for the listener", e);
        } catch (Exception e) {
            throw new AssertionError("publishing failed: " + e, e);
        } finally {
            publisher.shutdownNow();
        }
    }

    /** Holds the listener inside the first delivery of {@code channel} until released (or closed). */
    ListenerGate gate(ChannelName channel) {
        ListenerGate gate = new ListenerGate();
        recorder.duringPublication(p -> {
            if (p.channel().equals(channel.value()) && gate.entered.getCount() > 0) {
                gate.entered.countDown();
                awaitLatch(gate.released, "the test to release the listener");
            }
        });
        return gate;
    }

    static final class ListenerGate implements AutoCloseable {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);

        void awaitEntered() {
            awaitLatch(entered, "the listener to receive the gated channel's first publication");
        }

        void release() {
            released.countDown();
        }

        @Override
        public void close() {
            release();
        }
    }

    // --- History

    @Test
    void historyAfterAnOffsetReturnsTheFirstLimitPublicationsAfterItOldestFirst() {
        ChannelName feed = channel("feed", KEEP_100_FOR_AN_HOUR);
        publish(feed, 10);

        assertThat(offsets(history(feed, HistoryQuery.after(0)).publications())).isEqualTo(range(1, 10));
        assertThat(offsets(history(feed, HistoryQuery.after(3, 2)).publications()))
                .containsExactly(4L, 5L);
        assertThat(offsets(history(feed, HistoryQuery.after(8, 5)).publications()))
                .containsExactly(9L, 10L);
        assertThat(history(feed, HistoryQuery.after(10)).publications()).isEmpty();
        assertThat(history(feed, HistoryQuery.after(42)).publications()).isEmpty();
        assertThat(history(feed, HistoryQuery.after(3, 0)).publications()).isEmpty();
    }

    @Test
    void historyWithoutAnOffsetReturnsTheNewestLimitPublicationsOldestFirst() {
        ChannelName feed = channel("feed", KEEP_100_FOR_AN_HOUR);
        List<Publication> published = publish(feed, 10);

        assertThat(history(feed, HistoryQuery.newest(3)).publications()).isEqualTo(published.subList(7, 10));
        assertThat(history(feed, HistoryQuery.newest(100)).publications()).isEqualTo(published);
        assertThat(history(feed, HistoryQuery.newest(0)).publications()).isEmpty();
    }

    @Test
    void historyPageCarriesThePositionOfTheChannel() {
        ChannelName feed = channel("feed", KEEP_100_FOR_AN_HOUR);
        StreamPosition empty = position(feed);

        assertThat(history(feed, HistoryQuery.newest(10))).isEqualTo(new HistoryPage(List.of(), empty));

        List<Publication> published = publish(feed, 4);
        HistoryPage page = history(feed, HistoryQuery.after(1, 2));

        assertThat(page.publications()).isEqualTo(published.subList(1, 3));
        assertThat(page.position()).isEqualTo(new StreamPosition(4, empty.epoch()));
    }

    @Test
    void historyKeepsOnlyTheNewestSizePublications() {
        ChannelName small = channel("small", new HistoryRetention(3, Duration.ofHours(1)));
        publish(small, 5);

        assertThat(offsets(history(small, HistoryQuery.after(0)).publications()))
                .containsExactly(3L, 4L, 5L);
        assertThat(offsets(history(small, HistoryQuery.after(1)).publications()))
                .containsExactly(3L, 4L, 5L);
        assertThat(offsets(history(small, HistoryQuery.newest(10)).publications()))
                .containsExactly(3L, 4L, 5L);
        assertThat(position(small).offset()).isEqualTo(5);
    }

    @Test
    void historyDropsPublicationsOlderThanTheTtl() {
        ChannelName brief = channel("brief", new HistoryRetention(100, Duration.ofMinutes(1)));
        Publication first = publish(brief, "{\"n\":1}");
        passTime(Duration.ofSeconds(40));
        Publication second = publish(brief, "{\"n\":2}");

        passTime(Duration.ofSeconds(40));
        assertThat(history(brief, HistoryQuery.after(0)).publications()).containsExactly(second);
        assertThat(history(brief, HistoryQuery.newest(10)).publications()).containsExactly(second);

        passTime(Duration.ofSeconds(40));
        HistoryPage none = history(brief, HistoryQuery.after(0));
        assertThat(none.publications()).isEmpty();
        assertThat(none.position()).isEqualTo(new StreamPosition(2, first.epoch()));
    }

    @Test
    void retentionNoneKeepsNothingButStillAssignsOffsets() {
        ChannelName bare = channel("bare", HistoryRetention.NONE);
        List<Publication> published = publish(bare, 3);

        assertThat(offsets(published)).containsExactly(1L, 2L, 3L);
        assertThat(history(bare, HistoryQuery.after(0)).publications()).isEmpty();
        assertThat(history(bare, HistoryQuery.newest(10)).publications()).isEmpty();
        assertThat(position(bare).offset()).isEqualTo(3);
        assertThat(recorder.awaitPublications(3)).isEqualTo(published);
    }

    @Test
    void historyPagesAreContiguousAndMatchTheirPositionWhilePublishersRace() throws Exception {
        ChannelName busy = channel("busy", new HistoryRetention(50, Duration.ofHours(1)));
        AtomicBoolean publishing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch readerStarted = new CountDownLatch(1);
            List<CompletableFuture<Void>> publishers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                publishers.add(CompletableFuture.runAsync(
                        () -> {
                            awaitLatch(readerStarted); // the reader must race the publishers, not come after them
                            for (int i = 0; i < 1_000; i++) {
                                await(broker.publish(busy, "{}"));
                            }
                        },
                        pool));
            }
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(
                    () -> {
                        int pages = 0;
                        readerStarted.countDown();
                        while (publishing.get() || pages == 0) {
                            assertConsistent(history(busy, HistoryQuery.newest(10)), true);
                            long since = Math.max(0, position(busy).offset() - 20);
                            assertConsistent(history(busy, HistoryQuery.after(since, 5)), false);
                            pages++;
                        }
                        return pages;
                    },
                    pool);
            CompletableFuture.allOf(publishers.toArray(CompletableFuture[]::new))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            publishing.set(false);
            assertThat(reader.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isPositive();
        } finally {
            publishing.set(false);
            pool.shutdownNow();
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        awaitLatch(latch, "the reader to start");
    }

    static void awaitLatch(CountDownLatch latch, String what) {
        try {
            if (!latch.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("waited " + TIMEOUT + " for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertConsistent(HistoryPage page, boolean newest) {
        List<Publication> ps = page.publications();
        if (ps.isEmpty()) {
            assertThat(newest && page.position().offset() > 0)
                    .as("a newest page of a kept channel is never empty")
                    .isFalse();
            return;
        }
        long first = ps.get(0).offset();
        assertThat(offsets(ps)).isEqualTo(range(first, first + ps.size() - 1));
        assertThat(ps)
                .extracting(Publication::epoch)
                .containsOnly(page.position().epoch());
        long last = ps.get(ps.size() - 1).offset();
        if (newest) {
            assertThat(last).isEqualTo(page.position().offset());
        } else {
            assertThat(last).isLessThanOrEqualTo(page.position().offset());
        }
    }

    // --- Presence

    @Test
    void presenceListsClientsOldestConnectionFirstThenByConnectionId() {
        ChannelName room = channel("room", HistoryRetention.NONE);
        PresenceClient carol = client("c-1", "carol", T0.plusSeconds(2));
        PresenceClient bob = client("c-3", "bob", T0.plusSeconds(1));
        PresenceClient alice = client("c-2", "alice", T0.plusSeconds(1));

        await(broker.addPresence(room, carol));
        await(broker.addPresence(room, bob));
        await(broker.addPresence(room, alice));

        assertThat(await(broker.presence(room))).containsExactly(alice, bob, carol);
    }

    @Test
    void addingAConnectionAgainReplacesIt() {
        ChannelName room = channel("room", HistoryRetention.NONE);
        await(broker.addPresence(room, new PresenceClient("c-1", "u-1", "Alice", T0)));
        PresenceClient renamed = new PresenceClient("c-1", "u-1", "Alice Liddell", T0);

        await(broker.addPresence(room, renamed));

        assertThat(await(broker.presence(room))).containsExactly(renamed);
    }

    @Test
    void removedClientLeavesPresenceAndRemovingAnAbsentOneIsANoOp() {
        ChannelName room = channel("room", HistoryRetention.NONE);
        PresenceClient alice = client("c-1", "alice", T0);
        PresenceClient bob = client("c-2", "bob", T0.plusSeconds(1));
        await(broker.addPresence(room, alice));
        await(broker.addPresence(room, bob));

        await(broker.removePresence(room, "c-1"));
        await(broker.removePresence(room, "never-there"));
        assertThat(await(broker.presence(room))).containsExactly(bob);

        await(broker.removePresence(room, "c-2"));
        await(broker.removePresence(room, "c-2"));
        assertThat(await(broker.presence(room))).isEmpty();

        await(broker.addPresence(room, alice));
        assertThat(await(broker.presence(room))).containsExactly(alice);
    }

    @Test
    void eachAddAndRemoveCountsTheConnectionsOfItsUserSoTheFirstAndLastAreKnown() {
        ChannelName room = channel("room", HistoryRetention.NONE);
        PresenceClient tab1 = client("c-1", "dora", T0);
        PresenceClient tab2 = client("c-2", "dora", T0);
        PresenceClient tab3 = client("c-3", "dora", T0);
        PresenceClient bob = client("c-4", "bob", T0);
        assertThat(await(broker.addPresence(room, tab1))).isEqualTo(1);
        assertThat(await(broker.addPresence(room, bob))).isEqualTo(1);
        assertThat(await(broker.addPresence(room, tab2))).isEqualTo(2);
        assertThat(await(broker.addPresence(room, tab3))).isEqualTo(3);
        assertThat(await(broker.addPresence(room, tab3)))
                .as("listed again: counted once")
                .isEqualTo(3);
        assertThat(await(broker.removePresence(room, "c-2"))).isEqualTo(2);
        assertThat(await(broker.removePresence(room, "c-2")))
                .as("no longer listed")
                .isEqualTo(-1);
        assertThat(await(broker.removePresence(room, "c-1"))).isEqualTo(1);
        assertThat(await(broker.removePresence(room, "c-3"))).as("the last").isEqualTo(0);
        assertThat(await(broker.removePresence(room, "c-4"))).isEqualTo(0);
        assertThat(await(broker.addPresence(room, tab1))).as("first again").isEqualTo(1);
    }

    @Test
    void presenceBelongsToItsChannel() {
        ChannelName lobby = channel("lobby", HistoryRetention.NONE);
        ChannelName attic = channel("attic", HistoryRetention.NONE);
        PresenceClient alice = client("c-1", "alice", T0);

        await(broker.addPresence(lobby, alice));

        assertThat(await(broker.presence(lobby))).containsExactly(alice);
        assertThat(await(broker.presence(attic))).isEmpty();
    }

    private static PresenceClient client(String connectionId, String user, Instant connectedAt) {
        return new PresenceClient(connectionId, "id-" + user, user, connectedAt);
    }

    // --- Presence events, control, subscriptions

    @Test
    void presenceEventsReachTheListener() {
        ChannelName room = channel("room", HistoryRetention.NONE);
        PresenceClient alice = client("c-1", "alice", T0);
        PresenceEvent join = new PresenceEvent(room, PresenceEvent.Kind.JOIN, alice);
        PresenceEvent leave = new PresenceEvent(room, PresenceEvent.Kind.LEAVE, alice);

        await(broker.publishPresenceEvent(join));
        await(broker.publishPresenceEvent(leave));

        assertThat(recorder.awaitPresenceEvent()).isEqualTo(join);
        assertThat(recorder.awaitPresenceEvent()).isEqualTo(leave);
    }

    @Test
    void anAnnouncedAddOrRemovePublishesItsJoinOrLeaveMarkedFirstOrLastByTheCount() {
        ChannelName room = channel("room", HistoryRetention.NONE);
        PresenceClient tab1 = client("c-1", "dora", T0);
        PresenceClient tab2 = client("c-2", "dora", T0);
        await(broker.addPresence(room, tab1, true));
        await(broker.addPresence(room, tab2, true));
        await(broker.removePresence(room, "c-1", tab1));
        await(broker.removePresence(room, "c-2", tab2));
        await(broker.removePresence(room, "c-2", tab2)); // no longer listed: nothing published
        assertThat(List.of(
                        recorder.awaitPresenceEvent(),
                        recorder.awaitPresenceEvent(),
                        recorder.awaitPresenceEvent(),
                        recorder.awaitPresenceEvent()))
                .containsExactly(
                        new PresenceEvent(room, PresenceEvent.Kind.JOIN, tab1, true),
                        new PresenceEvent(room, PresenceEvent.Kind.JOIN, tab2, false),
                        new PresenceEvent(room, PresenceEvent.Kind.LEAVE, tab1, false),
                        new PresenceEvent(room, PresenceEvent.Kind.LEAVE, tab2, true));
        await(broker.publishPresenceEvent(new PresenceEvent(room, PresenceEvent.Kind.JOIN, tab1)));
        assertThat(recorder.awaitPresenceEvent().client())
                .as("nothing came between")
                .isEqualTo(tab1);
    }

    @Test
    void controlCommandsReachTheListener() {
        List<ControlCommand> commands = List.of(
                new ControlCommand.DisconnectUser("alice", RefusalCode.TOKEN_REVOKED.refusal()),
                new ControlCommand.DisconnectCredential("gh_abc123", RefusalCode.TOKEN_REVOKED.refusal()),
                new ControlCommand.ReplaceCredential("gh_abc123", "tab-1", "conn-2", T0));

        for (ControlCommand c : commands) {
            await(broker.publishControl(c));
        }

        List<ControlCommand> received = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            received.add(recorder.awaitControl());
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(commands);
    }

    @Test
    void subscribeCompletesAgainAfterUnsubscribeAndTheBrokerIsReachable() {
        ChannelName topic = channel("topic", HistoryRetention.NONE);

        broker.unsubscribe(topic);
        await(broker.subscribe(topic));

        assertThat(broker.isReachable()).isTrue();
    }

    /**
     * Queues what the broker delivers, so a test awaits it with a timeout instead of sleeping: each
     * kind in a queue of its own, and everything in one queue in delivery order.
     * {@link #duringPublication} runs inside {@code onPublication}, before it records.
     */
    /** What {@link BrokerListener#onContinuityLost} delivered, among the other deliveries. */
    record ContinuityLost(ChannelName channel) {}

    static final class RecordingListener implements BrokerListener {
        private final BlockingQueue<Publication> publications = new LinkedBlockingQueue<>();
        private final BlockingQueue<PresenceEvent> presenceEvents = new LinkedBlockingQueue<>();
        private final BlockingQueue<ControlCommand> controls = new LinkedBlockingQueue<>();
        private final BlockingQueue<Object> deliveries = new LinkedBlockingQueue<>();
        private final BlockingQueue<Map.Entry<ChannelName, PresenceClient>> expired = new LinkedBlockingQueue<>();
        /** Per expired connection id: how many connections of its user the channel still listed. */
        final Map<String, Integer> connectionsLeftAfterExpiry = new java.util.concurrent.ConcurrentHashMap<>();

        private volatile Consumer<Publication> duringPublication = p -> {};

        void duringPublication(Consumer<Publication> action) {
            duringPublication = action;
        }

        @Override
        public void onPublication(Publication publication) {
            duringPublication.accept(publication);
            publications.add(publication);
            deliveries.add(publication);
        }

        @Override
        public void onPresenceEvent(PresenceEvent event) {
            presenceEvents.add(event);
            deliveries.add(event);
        }

        @Override
        public void onControl(ControlCommand command) {
            controls.add(command);
            deliveries.add(command);
        }

        @Override
        public void onContinuityLost(ChannelName channel) {
            deliveries.add(new ContinuityLost(channel));
        }

        @Override
        public void onPresenceExpired(ChannelName channel, PresenceClient client, int connectionsLeft) {
            connectionsLeftAfterExpiry.put(client.connectionId(), connectionsLeft);
            expired.add(Map.entry(channel, client));
        }

        /** The next presence entry the broker removed for a dead node. */
        Map.Entry<ChannelName, PresenceClient> awaitExpired() {
            return next(expired, "an expired presence entry");
        }

        /** The expired presence entries reported so far, taken out of the queue. */
        List<Map.Entry<ChannelName, PresenceClient>> drainExpired() {
            List<Map.Entry<ChannelName, PresenceClient>> drained = new ArrayList<>();
            expired.drainTo(drained);
            return drained;
        }

        /** Fails if an expired entry is reported within {@code quiet}. */
        void assertNoneExpiredFor(Duration quiet) throws InterruptedException {
            assertThat(expired.poll(quiet.toMillis(), TimeUnit.MILLISECONDS))
                    .as("an expired presence entry")
                    .isNull();
        }

        /** The next {@code count} deliveries of any kind, in the order they were delivered. */
        List<Object> awaitDeliveries(int count) {
            List<Object> received = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                received.add(next(deliveries, "delivery " + (i + 1) + " of " + count));
            }
            return received;
        }

        /** Fails if anything is delivered within {@code quiet}. */
        void assertNothingDeliveredFor(Duration quiet) {
            try {
                Object early = deliveries.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(early).as("a delivery that should have waited").isNull();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** The next {@code count} publications, in the order they were delivered. */
        List<Publication> awaitPublications(int count) {
            List<Publication> received = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                received.add(next(publications, "publication " + (i + 1) + " of " + count));
            }
            return received;
        }

        /** Fails if another publication arrives soon (a duplicate delivery). */
        void assertNoMorePublications() {
            try {
                Publication extra = publications.poll(100, TimeUnit.MILLISECONDS);
                assertThat(extra).as("an unexpected publication").isNull();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        PresenceEvent awaitPresenceEvent() {
            return next(presenceEvents, "presence event");
        }

        ControlCommand awaitControl() {
            return next(controls, "control command");
        }

        /** The next {@code count} publications, by channel, each channel's in delivery order. */
        Map<String, List<Publication>> awaitByChannel(int count) {
            return awaitPublications(count).stream()
                    .collect(Collectors.groupingBy(Publication::channel, Collectors.toList()));
        }

        private static <T> T next(BlockingQueue<T> queue, String what) {
            try {
                T item = queue.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (item == null) {
                    throw new AssertionError("no " + what + " within " + TIMEOUT);
                }
                return item;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
