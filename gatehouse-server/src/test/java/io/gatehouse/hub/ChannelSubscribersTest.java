package io.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.broker.Broker;
import io.gatehouse.broker.BrokerListener;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.broker.MemoryBroker;
import io.gatehouse.broker.PresenceEvent;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker subscription a channel's local subscriptions share: made by the first, ended by the
 * last, and never left ended while a subscription is here, however the two race.
 */
class ChannelSubscribersTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final ChannelName NEWS = ChannelName.parse("news").orElseThrow();

    final RecordingBroker broker = new RecordingBroker();
    final ChannelSubscribers subscribers = new ChannelSubscribers(broker);
    /** Threads of the test's own: the common pool may have a single one on a small machine. */
    final ExecutorService threads = Executors.newFixedThreadPool(4);

    @AfterEach
    void closeBroker() {
        threads.shutdownNow();
        broker.close();
    }

    @Test
    void theFirstSubscriptionSubscribesTheNodeAndTheLastOneUnsubscribesIt() {
        Subscription a = subscribers.add(new HubTest.RecordingConnection("a", "alice"), NEWS);
        Subscription b = subscribers.add(new HubTest.RecordingConnection("b", "bob"), NEWS);
        assertThat(a.brokerReady().toCompletableFuture()).isCompleted();
        assertThat(b.brokerReady().toCompletableFuture()).isCompleted();
        assertThat(broker.calls()).containsExactly("subscribe news");
        assertThat(subscribers.counts()).isEqualTo(Map.of("news", 2));

        subscribers.remove(a);
        assertThat(broker.calls()).containsExactly("subscribe news");
        subscribers.remove(b);

        assertThat(broker.calls()).containsExactly("subscribe news", "unsubscribe news");
        assertThat(subscribers.counts()).isEmpty();
        assertThat(subscribers.of("news")).isEmpty();
    }

    @Test
    void aChannelKeepsEverySubscriptionAcrossTheSmallSetLimitBothWays() {
        List<Subscription> added = new ArrayList<>();
        for (int i = 0; i < ChannelSubscribers.SMALL * 3; i++) {
            added.add(subscribers.add(new HubTest.RecordingConnection("c" + i, "u" + i), NEWS));
            assertThat(subscribers.of("news")).containsExactlyInAnyOrderElementsOf(added);
        }
        assertThat(subscribers.counts()).isEqualTo(Map.of("news", ChannelSubscribers.SMALL * 3));
        ChannelName personal = ChannelName.parse("few").orElseThrow();
        Subscription only = subscribers.add(new HubTest.RecordingConnection("p", "p"), personal);
        assertThat(subscribers.of("few")).containsExactly(only);
        subscribers.remove(only);
        assertThat(subscribers.of("few")).isEmpty();

        while (!added.isEmpty()) {
            subscribers.remove(added.remove(added.size() / 2));
            assertThat(subscribers.of("news")).containsExactlyInAnyOrderElementsOf(added);
        }
        assertThat(broker.calls())
                .containsExactly("subscribe news", "subscribe few", "unsubscribe few", "unsubscribe news");
    }

    @Test
    void aSubscribeTheBrokerRefusedIsAskedAgainByTheNextSubscriptionNotInALoop() {
        broker.failNextSubscribe = true;
        Subscription a = subscribers.add(new HubTest.RecordingConnection("a", "alice"), NEWS);
        assertThat(a.brokerReady().toCompletableFuture()).isCompletedExceptionally();
        assertThat(broker.calls()).containsExactly("subscribe news");

        Subscription b = subscribers.add(new HubTest.RecordingConnection("b", "bob"), NEWS);

        assertThat(b.brokerReady().toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
        assertThat(broker.calls()).containsExactly("subscribe news", "subscribe news");
        subscribers.remove(a);
        subscribers.remove(b);
        assertThat(broker.calls()).containsExactly("subscribe news", "subscribe news", "unsubscribe news");
        assertThat(subscribers.counts()).isEmpty();
    }

    @Test
    void aNewFirstSubscriptionWhileTheLastOnesUnsubscribeIsUnderWaySubscribesAfterItAndTheNodeStaysSubscribed()
            throws Exception {
        Subscription old = subscribers.add(new HubTest.RecordingConnection("a", "alice"), NEWS);
        CountDownLatch unsubscribing = new CountDownLatch(1);
        CountDownLatch letUnsubscribeReturn = new CountDownLatch(1);
        broker.duringUnsubscribe = () -> {
            unsubscribing.countDown();
            await(letUnsubscribeReturn);
        };
        CompletableFuture<Void> leaving = CompletableFuture.runAsync(() -> subscribers.remove(old), threads);
        await(unsubscribing);

        // The broker is between unsubscribe's call and its return; the map is not locked meanwhile.
        Subscription fresh = subscribers.add(new HubTest.RecordingConnection("b", "bob"), NEWS);
        assertThat(broker.calls()).containsExactly("subscribe news", "unsubscribe news");
        assertThat(fresh.brokerReady().toCompletableFuture()).isNotDone();
        assertThat(subscribers.counts()).isEqualTo(Map.of("news", 1));

        letUnsubscribeReturn.countDown();
        leaving.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        fresh.brokerReady().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(broker.calls()).containsExactly("subscribe news", "unsubscribe news", "subscribe news");
        assertThat(subscribers.of("news")).containsExactly(fresh);
    }

    @Test
    void subscribeAndUnsubscribeReachTheBrokerInTurnHoweverThreadsRace() throws Exception {
        int racers = 4;
        int rounds = 2_000;
        CyclicBarrier start = new CyclicBarrier(racers);
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < racers; t++) {
            HubTest.RecordingConnection c = new HubTest.RecordingConnection("c" + t, "user" + t);
            workers.add(CompletableFuture.runAsync(
                    () -> {
                        await(start);
                        for (int i = 0; i < rounds; i++) {
                            subscribers.remove(subscribers.add(c, NEWS));
                        }
                    },
                    threads));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new))
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        List<String> calls = broker.calls();
        assertThat(calls).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i))
                    .as("broker call %d of %d", i + 1, calls.size())
                    .isEqualTo(i % 2 == 0 ? "subscribe news" : "unsubscribe news");
        }
        assertThat(calls.size() % 2).as("the node ends unsubscribed").isZero();
        assertThat(subscribers.counts()).isEmpty();

        Subscription last = subscribers.add(new HubTest.RecordingConnection("z", "zoe"), NEWS);
        last.brokerReady().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(broker.calls()).last().isEqualTo("subscribe news");
    }

    static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void await(CyclicBarrier barrier) {
        try {
            barrier.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A memory broker that records the subscribe and unsubscribe calls it gets, in the order they
     * were made, and can hold an unsubscribe open to widen a race.
     */
    static final class RecordingBroker implements Broker {
        @Override
        public io.gatehouse.cluster.IdempotencyKeys idempotencyKeys() {
            throw new UnsupportedOperationException("not used by these tests");
        }

        private final MemoryBroker memory = new MemoryBroker(Clock.systemUTC(), HubTest.CHANNELS::retention);
        private final List<String> calls = new ArrayList<>();
        volatile Runnable duringUnsubscribe = () -> {};

        RecordingBroker() {
            memory.start(new BrokerListener() {
                @Override
                public void onPublication(Publication publication) {}

                @Override
                public void onPresenceEvent(PresenceEvent event) {}

                @Override
                public void onContinuityLost(ChannelName channel) {}

                @Override
                public void onPresenceExpired(ChannelName channel, PresenceClient client, int connectionsLeft) {}

                @Override
                public void onControl(ControlCommand command) {}
            });
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }

        private synchronized void record(String call) {
            calls.add(call);
        }

        /** Fails the next subscribe, as a remote broker that cannot be reached would. */
        volatile boolean failNextSubscribe;

        @Override
        public CompletionStage<Void> subscribe(ChannelName channel) {
            record("subscribe " + channel.value());
            if (failNextSubscribe) {
                failNextSubscribe = false;
                return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable (on purpose)"));
            }
            return memory.subscribe(channel);
        }

        @Override
        public void unsubscribe(ChannelName channel) {
            record("unsubscribe " + channel.value());
            duringUnsubscribe.run();
            memory.unsubscribe(channel);
        }

        @Override
        public void start(BrokerListener listener) {
            throw new UnsupportedOperationException("started by the test");
        }

        @Override
        public CompletionStage<Publication> publish(ChannelName channel, String dataJson) {
            return memory.publish(channel, dataJson);
        }

        @Override
        public CompletionStage<StreamPosition> position(ChannelName channel) {
            return memory.position(channel);
        }

        @Override
        public CompletionStage<HistoryPage> history(ChannelName channel, HistoryQuery query) {
            return memory.history(channel, query);
        }

        @Override
        public CompletionStage<Integer> addPresence(ChannelName channel, PresenceClient client, boolean announce) {
            return memory.addPresence(channel, client, announce);
        }

        @Override
        public CompletionStage<Integer> removePresence(
                ChannelName channel, String connectionId, PresenceClient announceAs) {
            return memory.removePresence(channel, connectionId, announceAs);
        }

        @Override
        public CompletionStage<List<PresenceClient>> presence(ChannelName channel) {
            return memory.presence(channel);
        }

        @Override
        public CompletionStage<Void> publishPresenceEvent(PresenceEvent event) {
            return memory.publishPresenceEvent(event);
        }

        @Override
        public CompletionStage<Void> publishControl(ControlCommand command) {
            return memory.publishControl(command);
        }

        @Override
        public boolean isReachable() {
            return memory.isReachable();
        }

        @Override
        public void close() {
            memory.close();
        }
    }
}
