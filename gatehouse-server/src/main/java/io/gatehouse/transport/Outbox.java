package io.gatehouse.transport;

import io.gatehouse.protocol.EncodedMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The text frames waiting for one connection: any thread queues them, the connection's event loop
 * writes whatever has gathered in one go and flushes once per batch (write coalescing), so a
 * publication burst costs one task and one system call per connection, not one per frame. A batch
 * is flushed early every {@link #FLUSH_BYTES}; if the socket then still cannot take more than
 * limits.outbound_buffer, the connection is a slow consumer.
 */
final class Outbox {
    /** Bytes written before a batch flushes without waiting for its end: 64 KiB. */
    static final int FLUSH_BYTES = 64 * 1024;

    private final Channel channel;
    private final Runnable onSlowConsumer;
    private final Queue<EncodedMessage> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Set once the connection closes; only accessed on the event loop. */
    private boolean closed;

    Outbox(Channel channel, Runnable onSlowConsumer) {
        this.channel = channel;
        this.onSlowConsumer = onSlowConsumer;
    }

    /** Queues {@code message}; the event loop writes it soon, in order. Any thread. */
    void offer(EncodedMessage message) {
        queued.offer(message);
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(drainTask);
        }
    }

    /** Writes and flushes everything queued. On the event loop. */
    void drain() {
        drainScheduled.set(false);
        if (closed || !channel.isActive()) {
            queued.clear();
            return;
        }
        int unflushed = 0;
        EncodedMessage m;
        while ((m = queued.poll()) != null) {
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(m.utf8())), channel.voidPromise());
            unflushed += m.utf8().length;
            if (unflushed >= FLUSH_BYTES) {
                channel.flush();
                unflushed = 0;
                if (!channel.isWritable()) {
                    queued.clear();
                    onSlowConsumer.run();
                    return;
                }
            }
        }
        if (unflushed > 0) {
            channel.flush();
        }
    }

    /** Writes what is queued, then takes no more: the close frame must be the last frame. On the event loop. */
    void close() {
        drain();
        closed = true;
    }
}
