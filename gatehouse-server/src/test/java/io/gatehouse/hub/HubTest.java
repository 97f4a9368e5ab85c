package io.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.auth.User;
import io.gatehouse.broker.BrokerListener;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.broker.MemoryBroker;
import io.gatehouse.broker.PresenceEvent;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.NamespaceConfig;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.Recovery;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.PresenceClient;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.protocol.WireCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fan-out and bookkeeping of the hub, on recording connections (no sockets needed). The broker
 * delivers on its own threads; a test waits until the hub has handled a delivery before it looks.
 */
class HubTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A connection that records what it is sent. */
    static final class RecordingConnection implements Connection {
        final String id;
        final Principal principal;
        final List<EncodedMessage> sent = new CopyOnWriteArrayList<>();
        final List<Refusal> closes = new CopyOnWriteArrayList<>();

        RecordingConnection(String id, String user) {
            this.id = id;
            this.principal = new Principal(new User(user, user, List.of()), Set.of(), Instant.MAX, TokenKind.JWT, id);
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Principal principal() {
            return principal;
        }

        @Override
        public Instant connectedAt() {
            return Instant.EPOCH;
        }

        @Override
        public String instanceId() {
            return null;
        }

        @Override
        public String clientIp() {
            return "127.0.0.1";
        }

        @Override
        public String origin() {
            return null;
        }

        @Override
        public boolean send(EncodedMessage message) {
            sent.add(message);
            return true;
        }

        @Override
        public void serverSubscription(ChannelName channel, boolean subscribe) {
            throw new UnsupportedOperationException("not used by the hub's tests");
        }

        @Override
        public void close(Refusal refusal) {
            closes.add(refusal);
        }
    }

    static final NamespaceConfig ROOM = new NamespaceConfig(
            NamespaceConfig.SubscribeRule.AUTHENTICATED,
            NamespaceConfig.PublishRule.SERVER,
            100,
            Duration.ofMinutes(5),
            true,
            true);
    static final GatehouseConfig.Channels CHANNELS = new GatehouseConfig.Channels(Map.of("room", ROOM));
    final MemoryBroker broker = new MemoryBroker(Clock.systemUTC(), CHANNELS::retention);
    final Hub hub =
            new Hub(broker, new WireCodec(new ObjectMapper()), new io.gatehouse.metrics.GatehouseMetrics(), CHANNELS);

    /** What the broker delivered, recorded once the hub has handled it. */
    final BlockingQueue<Object> handled = new LinkedBlockingQueue<>();
    /** While set, presence events wait for it before they reach the hub (a slow delivery). */
    volatile CountDownLatch presenceHeldUntil;

    {
        broker.start(new BrokerListener() {
            @Override
            public void onPublication(Publication p) {
                hub.onPublication(p);
                handled.add(p);
            }

            @Override
            public void onPresenceEvent(PresenceEvent event) {
                CountDownLatch gate = presenceHeldUntil;
                if (gate != null) {
                    awaitQuietly(gate);
                }
                hub.onPresenceEvent(event);
                handled.add(event);
            }

            @Override
            public void onContinuityLost(ChannelName channel) {}

            @Override
            public void onPresenceExpired(ChannelName channel, PresenceClient client, int connectionsLeft) {}

            @Override
            public void onControl(ControlCommand command) {
                hub.onControl(command);
                handled.add(command);
            }
        });
    }

    @AfterEach
    void closeBroker() {
        broker.close();
    }

    /** Publishes and waits until the hub has fanned the publication out. */
    Publication publish(String channel, String dataJson) {
        Publication p =
                broker.publish(ch(channel), dataJson).toCompletableFuture().join();
        awaitHandled(p::equals, "publication " + p.offset() + " of " + channel);
        return p;
    }

    /** Waits until the hub has handled the {@code kind} of {@code connectionId} in {@code channel}. */
    void awaitPresenceEvent(PresenceEvent.Kind kind, String connectionId, String channel) {
        awaitHandled(
                d -> d instanceof PresenceEvent e
                        && e.kind() == kind
                        && e.client().connectionId().equals(connectionId)
                        && e.channel().value().equals(channel),
                kind + " of " + connectionId + " in " + channel);
    }

    void awaitHandled(Predicate<Object> what, String description) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (true) {
                Object d = handled.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (d == null) {
                    throw new AssertionError("the hub did not handle " + description + " within " + TIMEOUT);
                }
                if (what.test(d)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static ChannelName ch(String name) {
        return ChannelName.parse(name).orElseThrow();
    }

    /** Subscribes {@code c} and takes the subscription live at once, as a plain subscribe does. */
    Subscription subscribeLive(RecordingConnection c, String channel) {
        Subscription s = hub.subscribe(c, ch(channel));
        hub.start(s, null, page(channel, HistoryQuery.newest(0)), r -> {});
        return s;
    }

    HistoryPage page(String channel, HistoryQuery query) {
        return broker.history(ch(channel), query).toCompletableFuture().join();
    }

    static List<String> texts(RecordingConnection c) {
        return c.sent.stream().map(EncodedMessage::text).toList();
    }

    @Test
    void afterContinuityIsLostNothingMoreOfTheChannelReachesItsSubscribersBeforeTheirClose() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        hub.register(a);
        subscribeLive(a, "news");
        int before = a.sent.size();

        hub.onContinuityLost(ch("news"));
        // The close runs later on the connection's loop; a publication after the gap (here of a
        // new epoch, as after a Redis restart) arrives first and must not be forwarded.
        hub.onPublication(new Publication("news", 89, "a-new-epoch", "{}", Instant.EPOCH));

        assertThat(a.closes).hasSize(1);
        assertThat(a.sent).hasSize(before);
    }

    @Test
    void aPublicationIsEncodedOnceAndTheSameBytesGoToEverySubscriber() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        RecordingConnection b = new RecordingConnection("b", "bob");
        RecordingConnection c = new RecordingConnection("c", "carol");
        for (RecordingConnection r : List.of(a, b, c)) {
            hub.register(r);
        }
        subscribeLive(a, "news");
        subscribeLive(b, "news");
        publish("news", "{\"x\":1}");
        assertThat(a.sent).hasSize(1);
        assertThat(b.sent).hasSize(1);
        assertThat(a.sent.get(0)).isSameAs(b.sent.get(0));
        assertThat(a.sent.get(0).utf8()).isSameAs(b.sent.get(0).utf8());
        assertThat(c.sent).isEmpty();
        assertThat(a.sent.get(0).text()).contains("\"channel\":\"news\"", "\"data\":{\"x\":1}", "\"offset\":1");
        assertThat(hub.deliveredCount()).isEqualTo(2);
    }

    @Test
    void lostContinuityClosesTheChannelsSubscribersSoThatTheyRecoverAndLeavesOthersAlone() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        RecordingConnection b = new RecordingConnection("b", "bob");
        hub.register(a);
        hub.register(b);
        subscribeLive(a, "news");
        subscribeLive(b, "sport");

        hub.onContinuityLost(ch("news"));

        assertThat(a.closes).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE);
            assertThat(r.hint()).contains("news", "reconnect");
        });
        assertThat(b.closes).isEmpty();
    }

    @Test
    void unregisteringForgetsEverySubscriptionAndEmptyChannelsDisappear() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        hub.register(a);
        subscribeLive(a, "one");
        subscribeLive(a, "two");
        assertThat(hub.channels()).containsOnlyKeys("one", "two");
        hub.unregister(a);
        assertThat(hub.channels()).isEmpty();
        assertThat(hub.connectionsOf("alice")).isEmpty();
        assertThat(hub.connectionCount()).isZero();
    }

    @Test
    void subscribingTwiceIsOneSubscription() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        hub.register(a);
        assertThat(subscribeLive(a, "news")).isNotNull();
        assertThat(hub.subscribe(a, ch("news"))).isNull();
        publish("news", "1");
        assertThat(a.sent).hasSize(1);
        assertThat(hub.unsubscribe(a, "news")).isTrue();
        assertThat(hub.unsubscribe(a, "news")).isFalse();
    }

    @Test
    void publicationsDuringTheHistoryReadAreHeldBackThenFollowTheRecoveredOnesOnceEach() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        hub.register(a);
        for (int i = 1; i <= 3; i++) {
            publish("news", String.valueOf(i));
        }
        String epoch = broker.position(ch("news")).toCompletableFuture().join().epoch();
        Subscription s = hub.subscribe(a, ch("news"));
        publish("news", "4"); // arrives before the read: held back, and also in the page
        HistoryPage page = page("news", HistoryQuery.after(1));
        publish("news", "5"); // arrives after the read: held back, only here
        assertThat(a.sent).isEmpty();
        List<Recovery> announced = new java.util.ArrayList<>();
        hub.start(s, new StreamPosition(1, epoch), page, r -> {
            announced.add(r);
            a.sent.add(new EncodedMessage("subscribed".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        });
        publish("news", "6");
        assertThat(announced.get(0).recovered()).isTrue();
        assertThat(announced.get(0).missed()).extracting(p -> p.offset()).containsExactly(2L, 3L, 4L);
        assertThat(texts(a)).hasSize(3);
        assertThat(texts(a).get(0)).isEqualTo("subscribed");
        assertThat(texts(a).get(1)).contains("\"offset\":5");
        assertThat(texts(a).get(2)).contains("\"offset\":6");
    }

    @Test
    void anEndedSubscriptionDoesNotStart() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        hub.register(a);
        Subscription s = hub.subscribe(a, ch("news"));
        hub.unsubscribe(a, "news");
        assertThat(hub.start(s, null, page("news", HistoryQuery.newest(0)), r -> {}))
                .isNull();
        assertThat(hub.channels()).isEmpty();
    }

    @Test
    void presenceListsLiveSubscribersAndJoinAndLeaveGoToTheOthers() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        RecordingConnection b = new RecordingConnection("b", "bob");
        hub.register(a);
        hub.register(b);
        Subscription sa = hub.subscribe(a, ch("room:1"));
        assertThat(presence("room:1")).isEmpty(); // not live yet
        hub.start(sa, null, page("room:1", HistoryQuery.newest(0)), r -> {});
        awaitPresenceEvent(PresenceEvent.Kind.JOIN, "a", "room:1");
        subscribeLive(b, "room:1");
        awaitPresenceEvent(PresenceEvent.Kind.JOIN, "b", "room:1");
        assertThat(presence("room:1")).containsExactly("a", "b");
        assertThat(texts(a))
                .singleElement()
                .asString()
                .contains("\"type\":\"join\"", "\"connection_id\":\"b\"", "\"user_id\":\"bob\"");
        assertThat(texts(b)).isEmpty(); // no join about itself, none about earlier members
        hub.unregister(b); // a dead connection leaves like an unsubscribe
        awaitPresenceEvent(PresenceEvent.Kind.LEAVE, "b", "room:1");
        assertThat(presence("room:1")).containsExactly("a");
        assertThat(texts(a).get(1)).contains("\"type\":\"leave\"", "\"connection_id\":\"b\"");
        hub.unsubscribe(a, "room:1");
        assertThat(presence("room:1")).isEmpty();
    }

    @Test
    void aJoinPublishedBeforeASubscriptionWentLiveIsNotSentToItThoughDeliveredAfter() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        RecordingConnection b = new RecordingConnection("b", "bob");
        hub.register(a);
        hub.register(b);
        CountDownLatch slowDelivery = new CountDownLatch(1);
        presenceHeldUntil = slowDelivery;
        subscribeLive(a, "room:2"); // a's join is published, its delivery held
        subscribeLive(b, "room:2"); // b is live before a's join reaches the hub

        slowDelivery.countDown();
        awaitPresenceEvent(PresenceEvent.Kind.JOIN, "a", "room:2");
        awaitPresenceEvent(PresenceEvent.Kind.JOIN, "b", "room:2");

        assertThat(texts(b)).isEmpty(); // a is in the presence b can read; its join is old news
        assertThat(texts(a)).singleElement().asString().contains("\"type\":\"join\"", "\"connection_id\":\"b\"");
        assertThat(presence("room:2")).containsExactly("a", "b");
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the test did not let the delivery go on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void namespacesWithoutPresenceKeepNone() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        hub.register(a);
        subscribeLive(a, "news");
        assertThat(presence("news")).isEmpty();
    }

    List<String> presence(String channel) {
        return broker.presence(ch(channel)).toCompletableFuture().join().stream()
                .map(c -> c.connectionId())
                .toList();
    }
}
