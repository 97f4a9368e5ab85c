package io.gatehouse.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive HTTP/1.1 connection of an {@link HttpLoad} (the fan-out {@link Publisher}, the
 * tasks scenario's {@link ProgressWorker}), the last handler of
 * {@code HttpClientCodec → HttpObjectAggregator → PublishConnection}: one {@code POST} at a time,
 * stamped with {@code System.nanoTime()} as it is written, answered or timed out before the next.
 */
final class PublishConnection extends SimpleChannelInboundHandler<FullHttpResponse> {
    private static final long NONE = -1;

    private final HttpLoad load;
    private volatile Channel channel;
    /** The publication in flight, or NONE. Only accessed by the event loop. */
    private long seq = NONE;

    private long sentNanos;
    private ScheduledFuture<?> timeout;

    PublishConnection(HttpLoad load) {
        this.load = load;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        load.idle(this);
        super.channelActive(ctx);
    }

    /** Sends request {@code seq}; the connection must be idle. Any thread. */
    void send(int seq) {
        Channel c = channel;
        c.eventLoop().execute(() -> write(c, seq));
    }

    private void write(Channel c, int publication) {
        seq = publication;
        sentNanos = System.nanoTime();
        ByteBuf body = c.alloc().buffer();
        body.writeCharSequence(load.body(publication, sentNanos), StandardCharsets.UTF_8);
        FullHttpRequest request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, load.path(publication), body);
        request.headers()
                .set(HttpHeaderNames.HOST, load.host())
                .set(HttpHeaderNames.AUTHORIZATION, load.authorization())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        load.sent(publication, sentNanos);
        timeout = c.eventLoop()
                .schedule(
                        () -> {
                            finish("no answer within " + Publisher.REQUEST_TIMEOUT.toSeconds() + " s");
                            c.close();
                        },
                        Publisher.REQUEST_TIMEOUT.toNanos(),
                        TimeUnit.NANOSECONDS);
        c.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                c.close(); // channelInactive reports the publication
            }
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        int status = response.status().code();
        finish(
                status == 200
                        ? null
                        : "HTTP " + status + " " + abbreviate(response.content().toString(StandardCharsets.UTF_8)));
        load.idle(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish("connection closed before the answer");
        load.lost(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        ctx.close();
    }

    /** Reports the publication in flight, if any: {@code failure} null for a 200. */
    private void finish(String failure) {
        if (seq == NONE) {
            return;
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        load.answered((int) seq, System.nanoTime() - sentNanos, failure);
        seq = NONE;
    }

    void close() {
        Channel c = channel;
        if (c != null) {
            c.close();
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }
}
