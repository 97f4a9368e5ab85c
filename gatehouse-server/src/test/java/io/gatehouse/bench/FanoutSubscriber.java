package io.gatehouse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Recorder;

/**
 * One subscriber of the benchmark channel, the last handler of its WebSocket pipeline: subscribes
 * when {@code connection_established} arrives, then records, for every measured publication, the
 * receive {@code System.nanoTime()} minus the {@code sent_ns} the publisher put in its data.
 * Frames are handled on the connection's event loop; the bench thread reads only the atomic and
 * volatile fields.
 */
final class FanoutSubscriber extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String channelName;
    /** Publications with a smaller {@code seq} are warm-up and not recorded. */
    private final long firstMeasuredSeq;
    private final int measuredPublications;
    /** Shared by all subscribers of a round; a Recorder takes values from any thread. */
    private final Recorder latencyNanos;
    /** Counted down once this subscriber has every measured publication. */
    private final CountDownLatch allReceived;

    /** Completes on {@code subscribed}; fails if the connection fails or is refused first. */
    final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    /** Measured publications seen, indexed by {@code seq - firstMeasuredSeq}. Only accessed by the event loop. */
    private final BitSet seen;
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    /** The first thing that went wrong on this connection, or null. */
    private volatile String failure;
    private volatile boolean closing;
    private volatile Channel channel;

    FanoutSubscriber(String channelName, long firstMeasuredSeq, int measuredPublications, Recorder latencyNanos,
            CountDownLatch allReceived) {
        this.channelName = channelName;
        this.firstMeasuredSeq = firstMeasuredSeq;
        this.measuredPublications = measuredPublications;
        this.latencyNanos = latencyNanos;
        this.allReceived = allReceived;
        this.seen = new BitSet(measuredPublications);
    }

    int received() {
        return received.get();
    }

    int duplicates() {
        return duplicates.get();
    }

    String failure() {
        return failure;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws IOException {
        long receivedAt = System.nanoTime(); // before parsing, so the client's JSON work is not counted
        if (frame instanceof CloseWebSocketFrame close) {
            if (!closing) {
                fail("closed by the server: " + close.statusCode() + " " + close.reasonText());
            }
            ctx.close();
            return;
        }
        if (!(frame instanceof TextWebSocketFrame text)) {
            return;
        }
        JsonNode message = JSON.readTree(text.text());
        switch (message.path("type").asText()) {
            case "connection_established" -> ctx.writeAndFlush(
                    new TextWebSocketFrame("{\"type\":\"subscribe\",\"channel\":\"" + channelName + "\"}"));
            case "subscribed" -> subscribed.complete(null);
            case "message" -> {
                if (channelName.equals(message.path("channel").asText())) {
                    onPublication(message.path("data"), receivedAt);
                }
            }
            case "error" -> fail("error frame: " + text.text());
            default -> {
                // token_expiring and the like are not part of the measurement
            }
        }
    }

    private void onPublication(JsonNode data, long receivedAt) {
        long seq = data.path("seq").asLong();
        if (seq < firstMeasuredSeq) {
            return;
        }
        int index = (int) (seq - firstMeasuredSeq);
        if (seen.get(index)) {
            duplicates.incrementAndGet();
            return;
        }
        seen.set(index);
        latencyNanos.recordValue(receivedAt - data.path("sent_ns").asLong());
        if (received.incrementAndGet() == measuredPublications) {
            allReceived.countDown();
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
        fail(cause.toString());
        ctx.close();
    }

    /** Records the first failure; before {@code subscribed} it also fails that future. */
    void fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
        subscribed.completeExceptionally(new IOException(reason));
    }

    /** Sends a 1000 close frame and closes the connection; not counted as a failure. */
    ChannelFuture close() {
        closing = true;
        return channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
