package io.gatehouse.transport;

import io.gatehouse.protocol.EncodedMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;

/**
 * The text frames of one connection: any thread queues them in its event loop's {@link LoopQueue},
 * which writes them in order and flushes once per batch (write coalescing), so a publication burst
 * costs one system call per connection, not one per frame. A batch is flushed early every
 * {@link #FLUSH_BYTES}; if the socket then still cannot take more than limits.outbound_buffer, the
 * connection is a slow consumer and the rest of its frames are dropped. Frames go out as wire bytes
 * shared with the other connections of the loop ({@link TextFrames}). Made on the connection's
 * event loop.
 */
final class Outbox {
    /** Bytes written before a batch flushes without waiting for its end: 64 KiB. */
    static final int FLUSH_BYTES = 64 * 1024;

    private final Channel channel;
    private final Runnable onSlowConsumer;
    private final LoopQueue queue;
    /** Set once the connection closes, or turns out a slow consumer; only accessed on the event loop. */
    private boolean closed;
    /** Bytes written since the last flush; only accessed on the event loop. */
    private int unflushed;
    /** Whether the queue's current pass listed it for a flush; only accessed on the event loop. */
    private boolean listed;
    /**
     * Where frames are written: the WebSocket encoder's context once the handshake put it in place,
     * so that a frame (already wire bytes) starts next to the socket instead of walking the whole
     * pipeline, whose contexts are cold in the cache when a burst goes to thousands of connections.
     * Only accessed on the event loop.
     */
    private ChannelOutboundInvoker out;

    Outbox(Channel channel, Runnable onSlowConsumer) {
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("an Outbox is made on its channel's event loop");
        }
        this.channel = channel;
        this.onSlowConsumer = onSlowConsumer;
        this.queue = LoopQueue.of(channel.eventLoop());
    }

    /** Queues {@code message}; the event loop writes it soon, in order. Any thread. */
    void offer(EncodedMessage message) {
        queue.offer(this, message);
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * Writes {@code message} unless the connection closed; returns whether the queue must list this
     * connection for its flush (the first frame of a batch). On the event loop.
     */
    boolean write(EncodedMessage message) {
        if (closed || !channel.isActive()) {
            return false;
        }
        ChannelOutboundInvoker to = out();
        to.write(TextFrames.of(message, channel.alloc()), channel.voidPromise());
        unflushed += message.utf8().length;
        if (unflushed >= FLUSH_BYTES) {
            to.flush();
            unflushed = 0;
            if (!channel.isWritable()) {
                closed = true; // its frames still queued are dropped
                onSlowConsumer.run();
                return false;
            }
        }
        if (listed) {
            return false;
        }
        listed = true;
        return true;
    }

    /** The end of the queue's pass: flushes what was written since the last flush. On the event loop. */
    void flushWritten() {
        listed = false;
        if (unflushed > 0) {
            unflushed = 0;
            out().flush();
        }
    }

    private ChannelOutboundInvoker out() {
        if (out == null) {
            ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
            if (encoder == null) {
                return channel; // no WebSocket pipeline (yet)
            }
            out = encoder;
        }
        return out;
    }

    /** Writes what is queued, then takes no more: the close frame must be the last frame. On the event loop. */
    void close() {
        queue.writeAll();
        closed = true;
    }
}
