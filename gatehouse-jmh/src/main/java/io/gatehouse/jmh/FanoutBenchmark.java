package io.gatehouse.jmh;

import io.gatehouse.auth.Principal;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.auth.User;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.Hub;
import io.gatehouse.hub.Subscription;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.StreamPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode-once fan-out: one publication on a channel with {@link #subscribers} live local
 * subscriptions, encoded once and handed to every one; the score is publications per second
 * (deliveries per second are {@code subscribers} times it).
 *
 * <p>The entry point is {@link Hub#onPublication}, the broker's delivery callback
 * ({@code BrokerListener}): it is where the fan-out happens, and it is the narrowest public way in
 * that still runs all of it, namely the one encode ({@code WireCodec}, shared bytes), the walk over
 * the channel's subscriptions ({@code ChannelSubscribers}) and each {@link Subscription}'s
 * per-publication check and hand-off under its lock, plus the hub's counters and metrics. Going
 * in through the broker's publish instead would add what does not grow with the subscribers
 * (offset assignment, the history append) and a hand-off to the broker's delivery thread, which
 * would then have to be waited for. The node is real ({@link InProcessNode}), its hub the one its
 * connections use; the subscriptions are made through the hub's public calls
 * ({@code register}, {@code subscribe}, {@code start}), as a connection's subscribe does.
 *
 * <p>Each subscriber is a {@link Sink}: a {@link Connection} whose {@code send} takes the shared
 * frame and counts its bytes. It stands for the connection's transport, so the per-socket write (a
 * Netty frame around the shared bytes, the event loop's flush) is not in the figure: this measures
 * the hub's side of fan-out, the part that grows with subscribers on the publishing thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dlogback.configurationFile=gatehouse-jmh-logback.xml", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FanoutBenchmark {
    private static final String EPOCH = "jmh";
    /** About 100 bytes of data, as a small application event. */
    private static final String DATA =
            "{\"type\":\"price\",\"symbol\":\"ACME\",\"bid\":101.25,\"ask\":101.27,\"seq\":1,\"pad\":\"0123456789abcdef\"}";

    @Param({"1000", "5000"})
    public int subscribers;

    private InProcessNode node;
    private Hub hub;
    private ChannelName channel;
    private final List<Sink> sinks = new ArrayList<>();
    private long offset;

    @Setup(Level.Trial)
    public void start() {
        node = InProcessNode.start();
        hub = node.gatehouse().hub();
        channel = ChannelName.parse("jmh-fanout").orElseThrow();
        HistoryPage none = new HistoryPage(List.of(), new StreamPosition(0, EPOCH));
        for (int i = 0; i < subscribers; i++) {
            Sink sink = new Sink(i);
            hub.register(sink);
            Subscription s = hub.subscribe(sink, channel);
            if (s == null || hub.start(s, null, none, recovery -> {}) == null) {
                throw new IllegalStateException("subscriber " + i + " did not go live");
            }
            sinks.add(sink);
        }
    }

    /** Every subscriber got every publication, once: otherwise the figure measured something else. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            for (Sink sink : sinks) {
                if (sink.frames != offset) {
                    throw new IllegalStateException(
                            "subscriber " + sink.id + " got " + sink.frames + " of " + offset + " publications");
                }
                hub.unregister(sink);
            }
        } finally {
            node.close();
        }
    }

    /** One publication to every subscriber. */
    @Benchmark
    public long publish() {
        hub.onPublication(new Publication(channel.value(), ++offset, EPOCH, DATA, Instant.now()));
        return offset;
    }

    /** A subscriber that takes the shared frame and counts it. Called on the benchmark thread only. */
    static final class Sink implements Connection {
        private final String id;
        private final Principal principal;
        private final Instant connectedAt = Instant.now();
        long frames;
        long bytes;

        Sink(int index) {
            this.id = "jmh-sink-" + index;
            this.principal = new Principal(
                    new User("jmh-" + index, null, List.of()),
                    Set.of(),
                    Instant.now().plusSeconds(3600),
                    TokenKind.JWT,
                    "jmh-credential-" + index);
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
            return connectedAt;
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
            frames++;
            bytes += message.utf8().length;
            return true;
        }

        @Override
        public void close(Refusal refusal) {
            throw new IllegalStateException("subscriber " + id + " closed by the server: " + refusal);
        }
    }
}
