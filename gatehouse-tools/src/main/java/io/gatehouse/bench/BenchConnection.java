package io.gatehouse.bench;

import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.WireCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * One bench connection, the last handler of its WebSocket pipeline: it waits until the server
 * has authenticated it ({@code connection_established}, or what its {@link BenchProtocol} takes
 * for that), subscribes to the bench channel if it has one, hands every
 * publication to its {@link SubscriberLog} (and, for a task owner, every {@code task_progress} to
 * its {@link TaskLog}), answers the server's pings, and keeps the first thing that went wrong. Frames arrive on the connection's event loop; the scenario thread reads
 * only the futures and the volatile fields.
 */
final class BenchConnection extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final WireCodec CODEC = new WireCodec();
    /** The longest piece of a refusal frame a failure quotes. */
    private static final int QUOTED_CHARS = 200;

    /** The channel to subscribe to; null for a connection that does not subscribe. */
    private final ChannelName channelName;

    private final SubscriberLog log;
    /** Reads publications for the log; null without one. Only accessed by the event loop. */
    private final BenchPayload.Reader publications;
    /** Where a task owner's task_progress frames go; null for other connections. */
    private final TaskLog tasks;
    /** The owner this connection is, for its TaskLog. */
    private final int owner;

    /** What this connection speaks, and its credential; set by {@link BenchClient} before the connect. */
    private BenchProtocol protocol = BenchProtocol.GATEHOUSE;

    private String token;

    /** When the TCP connect was started, {@code System.nanoTime()}; set before the connect. */
    private volatile long startNanos;
    /** Completes with the {@code System.nanoTime()} of {@code connection_established}. */
    private final CompletableFuture<Long> established = new CompletableFuture<>();
    /** Completes when the connection is usable: established, and subscribed when it subscribes. */
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** The first thing that went wrong on this connection, or null. */
    private volatile String failure;

    private volatile boolean closing;
    /** Set as the connect starts. */
    private volatile Channel channel;

    private BenchConnection(ChannelName channelName, SubscriberLog log, TaskLog tasks, int owner) {
        this.channelName = channelName;
        this.log = log;
        this.publications = log == null ? null : new BenchPayload.Reader();
        this.tasks = tasks;
        this.owner = owner;
    }

    /** A connection that only connects (and answers pings). */
    static BenchConnection idle() {
        return new BenchConnection(null, null, null, -1);
    }

    /** A connection that subscribes to {@code channelName} and logs the publications on it. */
    static BenchConnection subscriber(ChannelName channelName, SubscriberLog log) {
        return new BenchConnection(channelName, log, null, -1);
    }

    /** A connection of task owner {@code owner} that logs the task_progress frames it gets. */
    static BenchConnection taskOwner(TaskLog tasks, int owner) {
        return new BenchConnection(null, null, tasks, owner);
    }

    /** Called by {@link BenchClient} just before it starts the TCP connect. */
    void starting(long nanos) {
        startNanos = nanos;
    }

    /** Called by {@link BenchClient} before the connect: the protocol, and the token for its connect frame. */
    void speaks(BenchProtocol protocol, String token) {
        this.protocol = protocol;
        this.token = token;
    }

    /** Called by {@link BenchClient} with the socket it is connecting. */
    void attach(Channel c) {
        channel = c;
    }

    long startNanos() {
        return startNanos;
    }

    CompletableFuture<Long> established() {
        return established;
    }

    CompletableFuture<Void> ready() {
        return ready;
    }

    /** The first failure, or null. */
    String failure() {
        return failure;
    }

    SubscriberLog log() {
        return log;
    }

    /** Open, and nothing has gone wrong. */
    boolean healthy() {
        Channel c = channel;
        return failure == null && c != null && c.isActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        long receivedNanos = System.nanoTime(); // before any parsing, so the client's own work is not counted
        if (frame instanceof TextWebSocketFrame text) {
            if (publications != null && publications.read(text.content())) {
                log.delivered(publications.seq(), publications.sentNanos(), receivedNanos);
                return;
            }
            switch (protocol.recognise(text.content())) {
                case ESTABLISHED -> onEstablished(ctx, receivedNanos);
                case SUBSCRIBED -> ready.complete(null);
                case OPENED -> ctx.writeAndFlush(new TextWebSocketFrame(protocol.connect(token)));
                case PING -> ctx.writeAndFlush(new TextWebSocketFrame(protocol.pong()));
                case FAILED -> {
                    String said = text.text();
                    fail("refused or closed by the server: "
                            + (said.length() > QUOTED_CHARS ? said.substring(0, QUOTED_CHARS) + "..." : said));
                    ctx.close();
                }
                case MESSAGE -> onMessage(ctx, CODEC.readServer(text.text()), receivedNanos);
                case IGNORED -> {
                    // an event the bench does not measure
                }
            }
        } else if (frame instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain())); // the server's heartbeat
        } else if (frame instanceof CloseWebSocketFrame close) {
            if (!closing) {
                fail("closed by the server: " + close.statusCode() + " " + close.reasonText());
            }
            ctx.close();
        }
    }

    /**
     * The rare frames, read by the protocol module. One it cannot read (not JSON, not a server
     * message) reaches {@link #exceptionCaught} and fails the connection.
     */
    private void onMessage(ChannelHandlerContext ctx, ServerMessage message, long receivedNanos) {
        if (message instanceof ServerMessage.ConnectionEstablished) {
            onEstablished(ctx, receivedNanos);
        } else if (message instanceof ServerMessage.Subscribed) {
            ready.complete(null);
        } else if (message instanceof ServerMessage.TaskProgress progress) {
            if (tasks != null) {
                tasks.received(owner, progress.task());
            }
        } else if (message instanceof ServerMessage.Error error) {
            fail("error " + error.code().name() + ": " + (error.message() == null ? "" : error.message()));
        }
        // token_expiring, pong and the like are not part of any measurement
    }

    private void onEstablished(ChannelHandlerContext ctx, long receivedNanos) {
        established.complete(receivedNanos);
        if (channelName == null) {
            ready.complete(null);
        } else {
            ctx.writeAndFlush(new TextWebSocketFrame(protocol.subscribe(channelName)));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!closing) {
            fail("connection lost");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        ctx.close();
    }

    /** Records the first failure; a connection that is not yet ready never will be. */
    void fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
        IOException e = new IOException(reason);
        established.completeExceptionally(e);
        ready.completeExceptionally(e);
    }

    /** Sends a 1000 close frame and closes the socket (not a failure); completes when the socket is closed. */
    ChannelFuture close() {
        closing = true;
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
        return channel.closeFuture();
    }
}
