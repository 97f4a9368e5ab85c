package io.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.auth.User;
import io.gatehouse.broker.MemoryBroker;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.MessageCodec;
import io.gatehouse.protocol.Refusal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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

        @Override public String id() { return id; }
        @Override public Principal principal() { return principal; }
        @Override public Instant connectedAt() { return Instant.EPOCH; }
        @Override public String clientIp() { return "127.0.0.1"; }
        @Override public boolean send(EncodedMessage message) { sent.add(message); return true; }
        @Override public void close(Refusal refusal) { closes.add(refusal); }
    }

    final MemoryBroker broker = new MemoryBroker(Clock.systemUTC());
    final Hub hub = new Hub(broker, new MessageCodec(new ObjectMapper()), new io.gatehouse.metrics.GatehouseMetrics());

    {
        broker.start(hub);
    }

    @Test
    void aPublicationIsEncodedOnceAndTheSameBytesGoToEverySubscriber() {
        RecordingConnection a = new RecordingConnection("a", "alice");
        RecordingConnection b = new RecordingConnection("b", "bob");
        RecordingConnection c = new RecordingConnection("c", "carol");
        for (RecordingConnection r : List.of(a, b, c)) {
            hub.register(r);
        }
        hub.subscribe(a, "news");
        hub.subscribe(b, "news");
        broker.publish(ChannelName.parse("news").orElseThrow(), "{\"x\":1}");
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
        hub.subscribe(a, "one");
        hub.subscribe(a, "two");
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
        assertThat(hub.subscribe(a, "news")).isTrue();
        assertThat(hub.subscribe(a, "news")).isFalse();
        broker.publish(ChannelName.parse("news").orElseThrow(), "1");
        assertThat(a.sent).hasSize(1);
        assertThat(hub.unsubscribe(a, "news")).isTrue();
        assertThat(hub.unsubscribe(a, "news")).isFalse();
    }
}
