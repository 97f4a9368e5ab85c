package io.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.auth.User;
import io.gatehouse.broker.HistoryPage;
import io.gatehouse.broker.HistoryQuery;
import io.gatehouse.broker.MemoryBroker;
import io.gatehouse.codec.MessageCodec;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.NamespaceConfig;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.StreamPosition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Fan-out and bookkeeping of the hub, on recording connections (no sockets needed). */
class HubTest {
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
        public String clientIp() {
            return "127.0.0.1";
        }

        @Override
        public boolean send(EncodedMessage message) {
            sent.add(message);
            return true;
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
    final Hub hub = new Hub(
            broker, new MessageCodec(new ObjectMapper()), new io.gatehouse.metrics.GatehouseMetrics(), CHANNELS);

    {
        broker.start(hub);
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
    void aPublicationIsEncodedOnceAndTheSameBytesGoToEverySubscriber() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        RecordingConnection b = new RecordingConnection("b", "bob");
        RecordingConnection c = new RecordingConnection("c", "carol");
        for (RecordingConnection r : List.of(a, b, c)) {
            hub.register(r);
        }
        subscribeLive(a, "news");
        subscribeLive(b, "news");
        broker.publish(ch("news"), "{\"x\":1}");
        assertThat(a.sent).hasSize(1);
        assertThat(b.sent).hasSize(1);
        assertThat(a.sent.get(0)).isSameAs(b.sent.get(0));
        assertThat(a.sent.get(0).utf8()).isSameAs(b.sent.get(0).utf8());
        assertThat(c.sent).isEmpty();
        assertThat(a.sent.get(0).text()).contains("\"channel\":\"news\"", "\"data\":{\"x\":1}", "\"offset\":1");
        assertThat(hub.deliveredCount()).isEqualTo(2);
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
        broker.publish(ch("news"), "1");
        assertThat(a.sent).hasSize(1);
        assertThat(hub.unsubscribe(a, "news")).isTrue();
        assertThat(hub.unsubscribe(a, "news")).isFalse();
    }

    @Test
    void publicationsDuringTheHistoryReadAreHeldBackThenFollowTheRecoveredOnesOnceEach() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        hub.register(a);
        for (int i = 1; i <= 3; i++) {
            broker.publish(ch("news"), String.valueOf(i));
        }
        String epoch = broker.position(ch("news")).toCompletableFuture().join().epoch();
        Subscription s = hub.subscribe(a, ch("news"));
        broker.publish(ch("news"), "4"); // arrives before the read: held back, and also in the page
        HistoryPage page = page("news", HistoryQuery.after(1));
        broker.publish(ch("news"), "5"); // arrives after the read: held back, only here
        assertThat(a.sent).isEmpty();
        List<Recovery> announced = new java.util.ArrayList<>();
        hub.start(s, new StreamPosition(1, epoch), page, r -> {
            announced.add(r);
            a.sent.add(new EncodedMessage("subscribed".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        });
        broker.publish(ch("news"), "6");
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
        subscribeLive(b, "room:1");
        assertThat(presence("room:1")).containsExactly("a", "b");
        assertThat(texts(a))
                .singleElement()
                .asString()
                .contains("\"type\":\"join\"", "\"connection_id\":\"b\"", "\"user_id\":\"bob\"");
        assertThat(texts(b)).isEmpty(); // no join about itself, none about earlier members
        hub.unregister(b); // a dead connection leaves like an unsubscribe
        assertThat(presence("room:1")).containsExactly("a");
        assertThat(texts(a).get(1)).contains("\"type\":\"leave\"", "\"connection_id\":\"b\"");
        hub.unsubscribe(a, "room:1");
        assertThat(presence("room:1")).isEmpty();
    }

    @Test
    void namespacesWithoutPresenceKeepNone() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        hub.register(a);
        subscribeLive(a, "news");
        assertThat(presence("news")).isEmpty();
    }

    List<String> presence(String channel) {
        return broker.presence(channel).toCompletableFuture().join().stream()
                .map(c -> c.connectionId())
                .toList();
    }
}
