package io.gatehouse.transport;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.connection.ClientConnection;
import io.gatehouse.connection.Transport;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upgraded WebSocket pipeline: turns frames into {@link ClientConnection}
 * calls, sends protocol pings every heartbeat interval, and closes a connection that has shown no
 * traffic for interval + timeout. Its fields are only touched on the channel's event loop,
 * except {@link #send} and {@link #close}, which may be called from any thread.
 */
final class WebSocketTransport extends SimpleChannelInboundHandler<WebSocketFrame> implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);

    /** How long a server-initiated close waits for the client's close frame. */
    static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How long a slow consumer's backlog (at most limits.outbound_buffer) is kept so that it can
     * still read its way to the 4508 close frame behind it.
     */
    static final Duration SLOW_CONSUMER_GRACE = Duration.ofSeconds(10);
    /** How long an abusive client (a flood, too much before authenticating) keeps its socket after our close frame. */
    static final Duration ABUSIVE_CLOSE_GRACE = Duration.ofMillis(500);
    /** What may be queued for a connection that is not authenticated yet: 64 KiB. */
    static final WriteBufferWaterMark UNAUTHENTICATED_OUTBOUND = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final Channel channel;
    private final String clientIp;
    private final Duration heartbeatInterval;
    private final long silenceLimitNanos;
    private ClientConnection connection;
    private long lastReadNanos = System.nanoTime();
    private Future<?> heartbeat;
    /** Pongs written since the last flush. */
    private boolean pongsUnflushed;

    private Future<?> silenceCheck;
    /** The close code sent or received; 1006 (abnormal) until then. */
    private volatile int closeCode = WebSocketCloseStatus.ABNORMAL_CLOSURE.code();

    private volatile boolean closing;
    /** The client floods or sends too much before authenticating: close without waiting for it. Event loop only. */
    private boolean abusive;

    private final java.util.concurrent.atomic.AtomicBoolean slow = new java.util.concurrent.atomic.AtomicBoolean();

    private final GatehouseMetrics metrics;
    private final Outbox outbox;

    /** limits.outbound_buffer as a water mark, in force once the connection is authenticated. */
    private final WriteBufferWaterMark authenticatedOutbound;

    /** {@code outboundBufferBytes}: limits.outbound_buffer, in force once the connection is authenticated. */
    WebSocketTransport(
            Channel channel,
            String clientIp,
            GatehouseConfig.Heartbeat heartbeat,
            GatehouseMetrics metrics,
            int outboundBufferBytes) {
        this.channel = channel;
        this.authenticatedOutbound = new WriteBufferWaterMark(outboundBufferBytes / 2, outboundBufferBytes);
        this.metrics = metrics;
        this.clientIp = clientIp;
        this.heartbeatInterval = heartbeat.interval();
        this.silenceLimitNanos = heartbeat.interval().plus(heartbeat.timeout()).toNanos();
        this.outbox = new Outbox(channel, this::slowConsumer);
    }

    /** Binds the protocol side and starts heartbeats; on the event loop, after the handshake. */
    void start(ClientConnection connection) {
        this.connection = connection;
        long period = heartbeatInterval.toNanos();
        heartbeat = channel.eventLoop()
                .scheduleAtFixedRate(
                        () -> channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise()),
                        period,
                        period,
                        TimeUnit.NANOSECONDS);
        silenceCheck = channel.eventLoop().schedule(this::checkSilence, silenceLimitNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs when the connection would have been silent for interval + timeout; closes it if it was,
     * else looks again when the silence that started at the last read would reach the limit.
     */
    private void checkSilence() {
        long silent = System.nanoTime() - lastReadNanos;
        if (silent >= silenceLimitNanos) {
            close(RefusalCode.HEARTBEAT_TIMEOUT.refusal());
        } else if (channel.isActive()) {
            silenceCheck =
                    channel.eventLoop().schedule(this::checkSilence, silenceLimitNanos - silent, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        lastReadNanos = System.nanoTime();
        if (closing && !(frame instanceof CloseWebSocketFrame)) {
            return; // a closed connection acts on nothing more the client sends
        }
        if (frame instanceof TextWebSocketFrame text) {
            metrics.messageIn();
            connection.onText(text.text());
        } else if (frame instanceof PingWebSocketFrame) {
            // Counted like a message. A client that does not read its pongs gets no more of them
            // once its outbound buffer is full: they are dropped, never queued past it.
            if (connection.onControlFrame() && channel.isWritable()) {
                ctx.write(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
                pongsUnflushed = true; // flushed once per read batch: a burst of pings costs one system call
            }
        } else if (frame instanceof PongWebSocketFrame) {
            connection.onControlFrame(); // liveness (lastReadNanos above), and counted like a message
        } else if (frame instanceof CloseWebSocketFrame close) {
            if (!closing) {
                // The client closes first: its code is the one to record. (When we closed first,
                // its frame only answers ours and our code stands.)
                int code = close.statusCode();
                closeCode = code == -1 ? WebSocketCloseStatus.EMPTY.code() : code;
                closing = true;
                // Echo the close (RFC 6455 §5.5.1), then drop the socket.
                ctx.writeAndFlush(
                                new CloseWebSocketFrame(true, 0, close.content().retain()))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
        } else if (frame instanceof BinaryWebSocketFrame) {
            close(RefusalCode.UNSUPPORTED_DATA.refusal());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (pongsUnflushed) {
            pongsUnflushed = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            WebSocketCloseStatus status = corrupted.closeStatus();
            if (status != null && status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
                close(RefusalCode.MESSAGE_TOO_BIG.refusal());
            } else if (status != null && status.code() == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
                close(RefusalCode.INVALID_PAYLOAD.refusal());
            } else {
                close(RefusalCode.BAD_REQUEST.refusal("WebSocket protocol violation"));
            }
        } else if (cause instanceof TooLongFrameException) {
            close(RefusalCode.MESSAGE_TOO_BIG.refusal());
        } else if (cause instanceof java.io.IOException) {
            ctx.close();
        } else {
            LOG.warn("closing connection after an unexpected error", cause);
            close(RefusalCode.INTERNAL_ERROR.refusal());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            silenceCheck.cancel(false);
        }
        if (connection != null) {
            connection.onClosed(closeCode);
        }
        ctx.fireChannelInactive();
    }

    // --- Transport ---

    @Override
    public boolean send(EncodedMessage message) {
        if (closing || !channel.isActive()) {
            return false;
        }
        if (!channel.isWritable()) {
            slowConsumer();
            return false;
        }
        outbox.offer(message);
        metrics.messageOut();
        return true;
    }

    /**
     * Past the high-water mark (limits.outbound_buffer): this client does not read fast enough.
     * Close it rather than let its backlog grow or slow the fan-out to others. Publishers on other
     * threads may see this at once: count and close only once.
     */
    private void slowConsumer() {
        if (slow.compareAndSet(false, true)) {
            metrics.slowConsumer();
            close(RefusalCode.SLOW_CONSUMER.refusal());
        }
    }

    @Override
    public void authenticated() {
        channel.config().setWriteBufferWaterMark(authenticatedOutbound);
        if (channel.pipeline().get(PreAuthLimit.NAME) != null) {
            channel.pipeline().remove(PreAuthLimit.NAME);
        }
    }

    /**
     * Closes a client that abuses the connection (a flood, too much before authenticating): nothing
     * more is read from it, the close frame is sent, and the socket is dropped within
     * {@link #ABUSIVE_CLOSE_GRACE} without waiting for its answer. On the event loop.
     */
    void closeAbusive(Refusal refusal) {
        abusive = true;
        close(refusal);
    }

    @Override
    public void close(Refusal refusal) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> close(refusal));
            return;
        }
        if (closing) {
            return;
        }
        if (refusal.code() == RefusalCode.RATE_LIMITED) {
            abusive = true; // a flood
        }
        if (abusive) {
            channel.config().setAutoRead(false); // read no more of it
        }
        outbox.close(); // what was queued before the close goes out before the close frame
        closing = true;
        closeCode = refusal.code().closeCode();
        if (connection != null) {
            connection.onClosing(refusal);
        }
        // RFC 6455 §7.1.1: wait for the client's close frame before dropping TCP, so the client
        // reads our close frame instead of a reset; drop it anyway if the client stays silent.
        // The timer starts now, not when the frame is written: a client that does not read
        // would otherwise keep it unwritten, and the connection open, for ever.
        channel.writeAndFlush(new CloseWebSocketFrame(refusal.code().closeCode(), refusal.closeReason()));
        Duration grace = refusal.code() == RefusalCode.SLOW_CONSUMER
                ? SLOW_CONSUMER_GRACE
                : abusive ? ABUSIVE_CLOSE_GRACE : CLOSE_HANDSHAKE_TIMEOUT;
        channel.eventLoop()
                .schedule(
                        () -> {
                            channel.close();
                        },
                        grace.toMillis(),
                        TimeUnit.MILLISECONDS);
    }

    @Override
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    @Override
    public Future<?> schedule(Duration delay, Runnable task) {
        return channel.eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String clientIp() {
        return clientIp;
    }
}
