package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single-node {@link Broker}: everything stays in this process. The epoch is new each start,
 * since nothing survives a restart.
 */
public final class MemoryBroker implements Broker {
    private final Clock clock;
    private final String epoch;
    /** Per channel: the last offset. Guarded by the {@link Stream} itself. */
    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    private volatile BrokerListener listener;

    private static final class Stream {
        long offset;
    }

    public MemoryBroker(Clock clock) {
        this.clock = clock;
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        this.epoch = HexFormat.of().formatHex(random);
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    @Override
    public CompletionStage<Publication> publish(ChannelName channel, String dataJson) {
        Stream stream = streams.computeIfAbsent(channel.value(), k -> new Stream());
        Publication p;
        // Offset assignment and hand-off happen under one lock so that delivery order is offset order.
        synchronized (stream) {
            stream.offset++;
            p = new Publication(channel.value(), stream.offset, epoch, dataJson, clock.instant());
            listener.onPublication(p);
        }
        return CompletableFuture.completedFuture(p);
    }

    @Override
    public CompletionStage<StreamPosition> position(ChannelName channel) {
        Stream stream = streams.get(channel.value());
        long offset;
        if (stream == null) {
            offset = 0;
        } else {
            synchronized (stream) {
                offset = stream.offset;
            }
        }
        return CompletableFuture.completedFuture(new StreamPosition(offset, epoch));
    }

    @Override
    public void subscribe(String channel) {
        // One node: every publication already reaches the listener.
    }

    @Override
    public void unsubscribe(String channel) {
        // One node: nothing to tell anyone.
    }

    @Override
    public CompletionStage<Void> publishControl(ControlCommand command) {
        listener.onControl(command);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isReachable() {
        return true;
    }

    @Override
    public void close() {
        streams.clear();
    }
}
